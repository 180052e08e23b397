--[[
  Planning failed for good: the rollout ends failed with the reason.
  KEYS: the rollout keys
  ARGV: id, now, reason
  Returns: {0} failed | {1, status} not planning
]]
local status = redis.call('HGET', R, 'status')
if status ~= 'planning' then return { 1, status or 'missing' } end
redis.call('HSET', R, 'failureReason', ARGV[3], 'finishedAt', NOW)
redis.call('SREM', ACTIVE, ID)
set_status('failed', '', '', ARGV[3])
return { 0 }
