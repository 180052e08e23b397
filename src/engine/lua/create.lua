--[[
  Creates a rollout (and its idempotency record, or its link on the rollout it follows) and
  appends its first event.
  KEYS: the rollout keys, then the partition's rollouts index, the idempotency key (in the
        rollout's partition; unused when idemValue is ''), the hash of the rollout it follows (a
        deploy phase's root, in the same partition; unused without a link field)
  ARGV: id, now, actor, action, idemValue ('' = none), idemTtlSeconds, linkField ('' = none),
        field1, value1, ...
  Returns: {0} created | {1, existing} the idempotency key or the link is taken (a link's value is
           the rollout id) | {2} the rollout to link from is gone
]]
local INDEX, IDEM, FOLLOWS = KEYS[KEY_COUNT + 1], KEYS[KEY_COUNT + 2], KEYS[KEY_COUNT + 3]
local LINK = ARGV[7]
if ARGV[5] ~= '' then
  local existing = redis.call('GET', IDEM)
  if existing then return { 1, existing } end
end
if LINK ~= '' then
  if redis.call('EXISTS', FOLLOWS) == 0 then return { 2 } end
  local existing = redis.call('HGET', FOLLOWS, LINK)
  if existing then return { 1, existing } end
  redis.call('HSET', FOLLOWS, LINK, ID)
end
redis.call('HSET', R, unpack(ARGV, 8))
redis.call('ZADD', INDEX, 0, ID)
redis.call('SADD', ACTIVE, ID)
if ARGV[5] ~= '' then redis.call('SET', IDEM, ARGV[5], 'EX', ARGV[6]) end
emit('k', 'status', 's', 'planning', 'p', '', 'a', ARGV[4], 'by', ARGV[3], 'd', '')
return { 0 }
