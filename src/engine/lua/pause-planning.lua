--[[
  Planning cannot go on until an operator acts (the gateway refused the token): the rollout
  pauses with the reason, and a resume plans it again (control.lua sees `replan`).
  KEYS: the rollout keys
  ARGV: id, now, reason
  Returns: {0} paused | {1, status} not planning
]]
local status = redis.call('HGET', R, 'status')
if status ~= 'planning' then return { 1, status or 'missing' } end
redis.call('HSET', R, 'pausedReason', ARGV[3], 'replan', '1')
set_status('paused', '', '', ARGV[3])
return { 0 }
