--[[
  An operator's control action, O(1): moving targets in bulk (cancel, retry) is marked here and
  done by sweep.lua in bounded batches. A retry on a paused rollout keeps it paused.
  KEYS: the rollout keys
  ARGV: id, now, action, actor, reason, allowedFromCsv
  Returns: {0, previousStatus, replan} done (replan 1: a resume that must plan the rollout again)
         | {1, status} not allowed in this status | {2} no such rollout | {3} no failed targets to retry
]]
local action, actor, reason = ARGV[3], ARGV[4], ARGV[5]
local detail = action .. ' by ' .. actor
local status = redis.call('HGET', R, 'status')
if not status then return { 2 } end
local allowed = false
for s in string.gmatch(ARGV[6], '[^,]+') do
  if s == status then allowed = true end
end
if not allowed then return { 1, status } end
if action == 'pause' then
  redis.call('HSET', R, 'pausedReason', reason)
  set_status('paused', action, actor, detail)
elseif action == 'resume' then
  redis.call('HDEL', R, 'pausedReason')
  -- Paused before it had targets (pause-planning.lua): planning starts over.
  if redis.call('HDEL', R, 'replan') == 1 then
    set_status('planning', action, actor, detail .. '; planning again')
    return { 0, status, 1 }
  end
  set_status('running', action, actor, detail)
elseif action == 'cancel' then
  redis.call('HSET', R, 'cancelReason', reason, 'finishedAt', NOW, 'sweep', 'cancel')
  redis.call('HDEL', R, 'pausedReason', 'replan')
  set_status('cancelled', action, actor, detail)
elseif action == 'retry' then
  if redis.call('ZCARD', S.failed) == 0 then return { 3 } end
  redis.call('HSET', R, 'sweep', 'retry')
  redis.call('HDEL', R, 'finishedAt', 'failureReason')
  redis.call('SADD', ACTIVE, ID)
  if status == 'paused' then
    set_status('paused', action, actor, detail .. '; failed targets re-queued, still paused')
  else
    set_status('running', action, actor, detail)
  end
end
return { 0, status, 0 }
