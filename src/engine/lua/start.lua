--[[
  Planning wrote the targets: start the first wave. Outcomes decided at planning (skipped,
  failed, planned) are counted here.
  KEYS: the rollout keys
  ARGV: id, now, waveBoundsJson, maxErrors
  Returns: {0, next} started, next 'wave_done' | 'open'
         | {1, reason} paused at once (error budget)
         | {2} cancelled while planning: the caller sweeps pending to cancelled
         | {3, status} not planning (a re-run of planning)
]]
local status = redis.call('HGET', R, 'status')
if status == 'cancelled' then
  redis.call('HSET', R, 'waveBounds', ARGV[3], 'sweep', 'cancel')
  return { 2 }
end
if status ~= 'planning' then return { 3, status or 'missing' } end
redis.call('HSET', R, 'startedAt', NOW, 'waveBounds', ARGV[3], 'maxErrors', ARGV[4], 'wave', 1)
local failed = redis.call('ZCARD', S.failed)
emit_outcomes({ skipped = redis.call('ZCARD', S.skipped), failed = failed, planned = redis.call('ZCARD', S.planned) })
if failed > tonumber(ARGV[4]) then
  local why = 'error budget exceeded at planning: ' .. failed ..
    ' targets could not be resolved > maxErrors ' .. ARGV[4]
  redis.call('HSET', R, 'pausedReason', why)
  set_status('paused', '', '', why)
  return { 1, why }
end
set_status('running', '', '', '')
local _, _, bound = rollout_state()
if pending_in_wave(bound) == 0 then return { 0, 'wave_done' } end
return { 0, 'open' }
