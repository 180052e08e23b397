--[[
  A manager answered 429 with Retry-After: no worker process starts a call to it before then.
  KEYS: next (earliest start of the next call, ms)
  ARGV: until (ms), ttlMs
  Returns: the earliest start now in force
]]
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted = tonumber(ARGV[1])
if wanted <= current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return wanted
