--[[
  Continues the bulk move a control action started (cancel: pending → cancelled; retry: failed →
  pending, keeping their last outcome and attempts), at most `limit` targets a call, so no call
  holds Redis long.
  KEYS: the rollout keys
  ARGV: id, now, limit
  Returns: {moved, more}: more 1 while targets are left to move
]]
local sweep = redis.call('HGET', R, 'sweep')
if not sweep then return { 0, 0 } end
local limit = tonumber(ARGV[3])
local from, to = 'pending', 'cancelled'
if sweep == 'retry' then from, to = 'failed', 'pending' end
local members = redis.call('ZRANGE', S[from], 0, limit - 1)
if #members > 0 then
  move(members, from, to)
  if sweep == 'cancel' then emit_outcomes({ cancelled = #members }) end
  redis.call('HSET', R, 'updatedAt', NOW)
end
if #members < limit then
  redis.call('HDEL', R, 'sweep')
  return { #members, 0 }
end
return { #members, 1 }
