--[[
  Creates a rollout (and its idempotency record) and appends its first event.
  KEYS: the rollout keys, then the partition's rollouts index, the idempotency key (in the
        rollout's partition; unused when idemValue is '')
  ARGV: id, now, actor, action, idemValue ('' = none), idemTtlSeconds, field1, value1, ...
  Returns: {0} created | {1, idemValue} the idempotency key is taken
]]
local INDEX, IDEM = KEYS[KEY_COUNT + 1], KEYS[KEY_COUNT + 2]
if ARGV[5] ~= '' then
  local existing = redis.call('GET', IDEM)
  if existing then return { 1, existing } end
end
redis.call('HSET', R, unpack(ARGV, 7))
redis.call('ZADD', INDEX, 0, ID)
redis.call('SADD', ACTIVE, ID)
if ARGV[5] ~= '' then redis.call('SET', IDEM, ARGV[5], 'EX', ARGV[6]) end
emit('k', 'status', 's', 'planning', 'p', '', 'a', ARGV[4], 'by', ARGV[3], 'd', '')
return { 0 }
