--[[
  Appends one audit entry for an outbox event, once: a re-delivered event finds its marker.
  KEYS: marker, audit stream
  ARGV: markerTtlSeconds, maxLen, field1, value1, ...
  Returns: 1 appended | 0 already recorded
]]
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
return 1
