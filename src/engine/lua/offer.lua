--[[
  Hands pending targets of the released waves to the queue: at most `window` targets of a
  rollout are running (queued or in flight) at once, so a pause leaves few jobs to recall and no
  queue fills with work that may never be wanted. Each target is held by a new job id, shared by
  `perJob` consecutive targets (batch mode); the reply carries what the job needs to send them
  (identity, and the last outcome for its attempts).
  KEYS: the rollout keys
  ARGV: id, now, window, perJob
  Returns: {idx1, jobId1, identity1, outcome1, idx2, ...} (empty when nothing is offered)
]]
local status, _, bound = rollout_state()
if status ~= 'running' or bound == 0 then return {} end
local room = tonumber(ARGV[3]) - redis.call('ZCARD', S.running)
if room <= 0 then return {} end
local members = redis.call('ZRANGEBYSCORE', S.pending, 0, bound - 1, 'LIMIT', 0, room)
if #members == 0 then return {} end
local seq = redis.call('HINCRBY', R, 'offers', 1)
local identities = redis.call('HMGET', T, unpack(members))
local outcomes = redis.call('HMGET', O, unpack(members))
local per_job = tonumber(ARGV[4])
local holders, out = {}, {}
local job = ''
for i, idx in ipairs(members) do
  if (i - 1) % per_job == 0 then job = ID .. '.' .. seq .. '.' .. idx end
  holders[#holders + 1] = idx
  holders[#holders + 1] = job
  out[#out + 1] = idx
  out[#out + 1] = job
  out[#out + 1] = identities[i] or ''
  out[#out + 1] = outcomes[i] or ''
end
move(members, 'pending', 'running')
redis.call('HSET', J, unpack(holders))
redis.call('HSET', R, 'updatedAt', NOW)
return out
