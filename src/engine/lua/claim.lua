--[[
  Jobs that just started claim their targets (one call for the jobs of a rollout started in the
  same tick). A job whose target it no longer holds sends nothing; one that starts while the
  rollout is not running hands its target back.
  KEYS: the rollout keys
  ARGV: id, now, n, idx1, job1, ..., idxN, jobN
  Returns: one code per job: 0 go | 1 stale (not held by this job) | 2 handed back
]]
local status = redis.call('HGET', R, 'status')
local n = tonumber(ARGV[3])
local out, go, back = {}, {}, {}
for i = 1, n do
  local idx, job = ARGV[2 + 2 * i], ARGV[3 + 2 * i]
  if redis.call('HGET', J, idx) ~= job then
    out[i] = 1
  elseif status == 'running' then
    out[i] = 0
    if redis.call('ZSCORE', S.queued, idx) then go[#go + 1] = idx end
  else
    out[i] = 2
    back[#back + 1] = idx
  end
end
if #go > 0 then
  move(go, 'queued', 'running')
  redis.call('HSET', R, 'updatedAt', NOW)
end
release(back, status)
return out
