--[[
  The adaptive (AIMD) request rate of one gateway, shared by every worker process. Each process
  reports what its calls answered since its last report and gets the rate now in force:
  - congestion (a 429, a 503 or a timeout; or the recent latency above latencyFactor x the baseline
    and at least 50 ms above it), at most once per round (max(1 s, 2 x the recent latency)):
    rate = max(floor, cut x used), used = the rate the manager took over the last second when lower
    than the allowed rate (as TCP cuts from its flight size), but not below cut x rate;
  - successful calls and no congestion: rate + step per second since the last report (at most 0.5 s);
  - always within [floor, ceiling]. Latency: EWMAs of the mean duration of successful calls, the
    recent one with weight 0.2 per call, the baseline 0.2 per call downwards and 0.005 upwards.
  Per-proxy mode also writes BullMQ's queue limiter (meta max/duration, ~10 windows a second, and
  the global concurrency scaled like the rate), which every worker reads on each fetch.
  KEYS: state (hash), meta (the gateway queue's BullMQ meta hash)
  ARGV: now (ms), ceiling, floor, cut, step, latencyFactor (0 = off), ok (successful calls),
        okMs (their summed duration), answered (calls answered without congestion),
        congested (429, 503 and timeout answers), concurrency (configured; 0 = none),
        queueLimit (1 = write BullMQ's limiter)
  Returns: {rate (string), cutAt (ms), 1 when this report cut the rate else 0}
]]
local now = tonumber(ARGV[1])
local ceiling = tonumber(ARGV[2])
local floor = math.min(tonumber(ARGV[3]), ceiling)
local cut = tonumber(ARGV[4])
local step = tonumber(ARGV[5])
local factor = tonumber(ARGV[6])
local ok = tonumber(ARGV[7])
local okMs = tonumber(ARGV[8])
local answered = tonumber(ARGV[9])
local congested = tonumber(ARGV[10])
local concurrency = tonumber(ARGV[11])

local s = redis.call('HMGET', KEYS[1], 'rate', 'at', 'cut', 'fast', 'base', 'w0', 'wn', 'seen')
local rate = math.min(ceiling, math.max(floor, tonumber(s[1]) or ceiling))
local at = tonumber(s[2]) or now
local cutAt = tonumber(s[3]) or 0
local fast = tonumber(s[4])
local base = tonumber(s[5])
local w0 = tonumber(s[6]) or now
local wn = tonumber(s[7]) or 0
local seen = tonumber(s[8]) or 0

-- What the manager took over the last full second; after a silence it is unknown again.
if now - at > 1000 then w0, wn, seen = now, 0, 0 end
wn = wn + answered
if now - w0 >= 1000 then seen, w0, wn = wn * 1000 / (now - w0), now, 0 end

if ok > 0 then
  local mean = okMs / ok
  if fast == nil or base == nil then
    fast, base = mean, mean
  else
    fast = fast + (mean - fast) * (1 - 0.8 ^ ok)
    local alpha = 0.005
    if mean < base then alpha = 0.2 end
    base = base + (mean - base) * (1 - (1 - alpha) ^ ok)
  end
end
local slow = factor > 0 and fast ~= nil and fast > factor * base and fast - base >= 50

local cutNow = 0
if congested > 0 or slow then
  if now - cutAt >= math.max(1000, 2 * (fast or 0)) then
    local used = rate
    if seen > 0 and seen < rate then used = math.max(seen, rate * cut) end
    rate = math.max(floor, used * cut)
    cutAt, cutNow = now, 1
  end
elseif ok > 0 then
  rate = math.min(ceiling, rate + step * math.min(now - at, 500) / 1000)
end

local fields = { 'rate', tostring(rate), 'at', now, 'cut', cutAt, 'w0', w0, 'wn', wn, 'seen', tostring(seen) }
if fast ~= nil then
  table.insert(fields, 'fast')
  table.insert(fields, tostring(fast))
  table.insert(fields, 'base')
  table.insert(fields, tostring(base))
end
redis.call('HSET', KEYS[1], unpack(fields))
-- A gateway idle for ten minutes starts again at its ceiling.
redis.call('PEXPIRE', KEYS[1], 600000)

if ARGV[12] == '1' then
  local max = math.max(1, math.floor(rate / 10 + 0.5))
  local limiter = { 'max', max, 'duration', math.floor(1000 * max / rate + 0.5) }
  if concurrency > 0 then
    table.insert(limiter, 'concurrency')
    table.insert(limiter, math.max(1, math.ceil(concurrency * rate / ceiling)))
  end
  redis.call('HSET', KEYS[2], unpack(limiter))
end
return { tostring(rate), cutAt, cutNow }
