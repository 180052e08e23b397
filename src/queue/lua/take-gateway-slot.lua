--[[
  Takes one call slot of a gateway for every worker process at once (batch mode, where a job
  carries several proxies and BullMQ's per-job limits cannot count them): at most `limit` calls
  in flight, as leases that lapse after `ttl` if their holder dies, and calls spaced to the rate.
  An adaptive gateway follows its allowed rate (adapt-gateway-rate.lua) and scales `limit` by it.
  KEYS: leases (sorted set: lease id → expiry ms), next (earliest start of the next call, ms),
        rate (the adaptive rate's state hash)
  ARGV: now, leaseId, ttlMs, limit (0 = none), intervalMs (at the configured rate),
        adaptive (1 = follow KEYS[3] when it holds a rate)
  Returns: 0 taken | ms to wait before asking again
]]
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[4])
local interval = tonumber(ARGV[5])
if ARGV[6] == '1' then
  local rate = tonumber(redis.call('HGET', KEYS[3], 'rate'))
  if rate then
    if limit > 0 then limit = math.max(1, math.ceil(limit * rate * interval / 1000)) end
    interval = 1000 / rate
  end
end
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= limit then return 2 end
end
local next = tonumber(redis.call('GET', KEYS[2]) or '0')
if next > now then return math.max(1, math.ceil(next - now)) end
redis.call('SET', KEYS[2], tostring(math.max(next, now) + interval), 'PX', 60000)
if limit > 0 then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2]) end
return 0
