--[[
  Records how targets ended (one call for the jobs of a rollout finished in the same tick), then
  applies the error budget and tells whether the wave is done. A job's result counts only while
  its job still holds the target, so a job that ran twice cannot record twice.
  KEYS: the rollout keys
  ARGV: id, now, window, pauseReason ('' = none), retriesJson ('' = none), n,
        then per target: idx, job, to, outcomeJson ('' = none)
    to: a target status; 'running' records nothing (the job tries again; its retries still
    count); 'pending' hands the target back (a gateway 401, or the rollout stopped running).
  Returns: {next, detail, room, recorded}: next 'paused' | 'wave_done' | 'open'
]]
local status, wave, bound, _, budget = rollout_state()
local counts, by_set, done, outcomes = {}, {}, {}, {}
for i = 1, tonumber(ARGV[6]) do
  local b = 6 + (i - 1) * 4
  local idx, job, to, outcome = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  if to ~= 'running' and redis.call('HGET', J, idx) == job then
    if to == 'pending' and status == 'cancelled' then to = 'cancelled' end
    by_set[to] = by_set[to] or {}
    table.insert(by_set[to], idx)
    done[#done + 1] = idx
    if outcome ~= '' then
      outcomes[#outcomes + 1] = idx
      outcomes[#outcomes + 1] = outcome
    end
    if to ~= 'pending' then counts[to] = (counts[to] or 0) + 1 end
  end
end
local terminal = #done - #(by_set.pending or {})
if #done > 0 then
  redis.call('ZREM', S.running, unpack(done))
  redis.call('HDEL', J, unpack(done))
  for set, members in pairs(by_set) do zadd_all(S[set], members) end
  if #outcomes > 0 then redis.call('HSET', O, unpack(outcomes)) end
  if status ~= 'running' and terminal > 0 then
    redis.call('HINCRBY', R, 'ranAfterPause', terminal)
  end
  redis.call('HSET', R, 'updatedAt', NOW)
end
local extra = nil
if ARGV[5] ~= '' then extra = { 'retries', ARGV[5] } end
emit_outcomes(counts, extra)

if status == 'running' and ARGV[4] ~= '' then
  redis.call('HSET', R, 'pausedReason', ARGV[4])
  set_status('paused', '', '', ARGV[4])
  return { 'paused', ARGV[4], 0, #done }
end
if status == 'running' and (counts.failed or 0) > 0 then
  local failed = redis.call('ZCARD', S.failed)
  if failed > budget then
    local why = 'error budget exceeded: ' .. failed .. ' failed targets > maxErrors ' .. budget
    redis.call('HSET', R, 'pausedReason', why)
    set_status('paused', '', '', why)
    return { 'paused', why, 0, #done }
  end
end
if status ~= 'running' or #done == 0 then return { 'open', status or 'missing', 0, #done } end
local next = after_targets(tonumber(ARGV[3]), wave, bound)
return { next[1], next[2], next[3], #done }
