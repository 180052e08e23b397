// Lua run inside Redis so every target transition and its effect on the rollout (counts, error
// budget, wave completion) is one atomic step: workers on many machines never race on them.
// KEYS are always Keys.scriptKeys(id): rollout, targets, the seven status sets, active set.

const PRELUDE = `
local R, T, ACTIVE = KEYS[1], KEYS[2], KEYS[10]
local ID = string.match(R, '([^:]+)$')
local S = {pending=KEYS[3], running=KEYS[4], succeeded=KEYS[5], failed=KEYS[6],
  skipped=KEYS[7], cancelled=KEYS[8], planned=KEYS[9]}
local function move(idx, from, to)
  redis.call('ZREM', S[from], idx)
  redis.call('ZADD', S[to], idx, idx)
end
-- targets of released waves that are not terminal yet
local function open_in_wave()
  local wave = tonumber(redis.call('HGET', R, 'wave') or '0')
  local bounds = cjson.decode(redis.call('HGET', R, 'waveBounds') or '[]')
  local bound = bounds[wave] or 0
  if bound == 0 then return 0 end
  return redis.call('ZCOUNT', S.pending, 0, bound - 1) + redis.call('ZCOUNT', S.running, 0, bound - 1)
end
-- every target of one status to another (cancel, retry); returns how many moved
local function move_all(from, to, note, now)
  local members = redis.call('ZRANGE', S[from], 0, -1)
  for _, idx in ipairs(members) do
    local t = cjson.decode(redis.call('HGET', T, idx))
    t.s = to; t.u = tonumber(now); t.h = nil; t.m = nil; t.r = note
    redis.call('HSET', T, idx, cjson.encode(t))
    redis.call('ZADD', S[to], idx, idx)
  end
  redis.call('DEL', S[from])
  return #members
end
local function wave_state(status)
  if status == 'running' and open_in_wave() == 0 then
    return {'wave_done', redis.call('HGET', R, 'wave')}
  end
  return {'open', status or 'missing'}
end
-- a target held by a job that will not finish it: back to pending, or cancelled with its rollout
local function let_go(idx, t, status, now)
  local to = 'pending'
  if status == 'cancelled' then to = 'cancelled'; t.r = 'rollout cancelled' end
  move(idx, 'running', to)
  t.s = to; t.j = nil; t.u = now
  redis.call('HSET', T, idx, cjson.encode(t))
end
`;

/** ARGV: idx, jobId, nowMs → {'go', project, proxy, attempts, beforeImage} | {'skip', why} */
export const CLAIM = `${PRELUDE}
local idx, job, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local raw = redis.call('HGET', T, idx)
if not raw then return {'skip', 'missing'} end
local t = cjson.decode(raw)
local mine = t.s == 'running' and t.j == job
local status = redis.call('HGET', R, 'status')
if status ~= 'running' then
  if mine then let_go(idx, t, status, now) end
  return {'skip', status or 'missing'}
end
if t.s ~= 'pending' and not mine then return {'skip', t.s} end
if t.s == 'pending' then move(idx, 'pending', 'running') end
t.s = 'running'; t.j = job; t.u = now
redis.call('HSET', T, idx, cjson.encode(t))
redis.call('HSET', R, 'updatedAt', now)
return {'go', t.p, t.n, tostring(t.a or 0), t.b or ''}
`;

/**
 * ARGV: idx, jobId, toStatus, attemptsDelta, httpStatus, message, reason, nowMs, pauseReason,
 * beforeImage (JSON text, kept as text: cjson cannot tell an empty list from an empty object).
 * toStatus 'running' only adds attempts (the job will be retried); 'pending' hands the target back.
 * → {'done'|'noop', 'paused'|'wave_done'|'open', detail}
 */
export const FINISH = `${PRELUDE}
local idx, job, to, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[8])
local status = redis.call('HGET', R, 'status')
local result = 'noop'
local raw = redis.call('HGET', T, idx)
if raw then
  local t = cjson.decode(raw)
  if t.s == 'running' and t.j == job then
    t.a = (t.a or 0) + tonumber(ARGV[4]); t.u = now
    if to ~= 'running' then
      move(idx, 'running', to)
      t.s = to; t.j = nil
      t.h = tonumber(ARGV[5]); t.m = nil; t.r = nil
      if ARGV[6] ~= '' then t.m = ARGV[6] end
      if ARGV[7] ~= '' then t.r = ARGV[7] end
      if ARGV[10] ~= '' then t.b = ARGV[10] end
      result = 'done'
      redis.call('HSET', R, 'updatedAt', now)
      if status ~= 'running' and to ~= 'pending' then redis.call('HINCRBY', R, 'ranAfterPause', 1) end
    end
    redis.call('HSET', T, idx, cjson.encode(t))
  end
end
if status == 'running' and ARGV[9] ~= '' then
  redis.call('HSET', R, 'status', 'paused', 'pausedReason', ARGV[9])
  return {result, 'paused', ARGV[9]}
end
if status == 'running' and result == 'done' and to == 'failed' then
  local budget = tonumber(redis.call('HGET', R, 'maxErrors') or '0')
  local failed = redis.call('ZCARD', S.failed)
  if failed > budget then
    local why = 'error budget exceeded: ' .. failed .. ' failed targets > maxErrors ' .. budget
    redis.call('HSET', R, 'status', 'paused', 'pausedReason', why)
    return {result, 'paused', why}
  end
end
local w = wave_state(status)
return {result, w[1], w[2]}
`;

/** ARGV: idx, jobId, nowMs: a running target whose job is gone → {'released'} | {'noop'} */
export const RELEASE = `${PRELUDE}
local raw = redis.call('HGET', T, ARGV[1])
if not raw then return {'noop'} end
local t = cjson.decode(raw)
if t.s ~= 'running' or t.j ~= ARGV[2] then return {'noop'} end
let_go(ARGV[1], t, redis.call('HGET', R, 'status'), tonumber(ARGV[3]))
return {'released'}
`;

/**
 * Planning done: ARGV: nowMs, total, waveBoundsJson, maxErrors.
 * → {'started'|'paused'|'noop', 'wave_done'|'open'|reason, detail}
 */
export const START = `${PRELUDE}
local now = ARGV[1]
local status = redis.call('HGET', R, 'status')
if status == 'cancelled' then
  -- cancelled while planning: what planning wrote must still end terminal
  move_all('pending', 'cancelled', 'rollout cancelled', now)
end
if status ~= 'planning' then return {'noop', status or 'missing'} end
redis.call('HSET', R, 'status', 'running', 'startedAt', now, 'updatedAt', now, 'total', ARGV[2],
  'waveBounds', ARGV[3], 'maxErrors', ARGV[4], 'wave', 1)
local failed = redis.call('ZCARD', S.failed)
if failed > tonumber(ARGV[4]) then
  local why = 'error budget exceeded at planning: ' .. failed .. ' targets could not be resolved > maxErrors ' .. ARGV[4]
  redis.call('HSET', R, 'status', 'paused', 'pausedReason', why)
  return {'paused', why}
end
local w = wave_state('running')
return {'started', w[1], w[2]}
`;

/** Planning failed: ARGV: nowMs, reason → {'failed'} | {'noop', status} */
export const FAIL_PLANNING = `${PRELUDE}
local status = redis.call('HGET', R, 'status')
if status ~= 'planning' then return {'noop', status or 'missing'} end
redis.call('HSET', R, 'status', 'failed', 'failureReason', ARGV[2], 'finishedAt', ARGV[1], 'updatedAt', ARGV[1])
redis.call('SREM', ACTIVE, ID)
return {'failed'}
`;

/**
 * A wave's targets are all terminal: ARGV: wave, nowMs, pauseBetweenWaves ('1'|'0').
 * → {'finished', status} | {'paused', reason} | {'next', wave} | {'noop'}
 */
export const ADVANCE = `${PRELUDE}
local now = ARGV[2]
if redis.call('HGET', R, 'status') ~= 'running' then return {'noop'} end
local wave = tonumber(redis.call('HGET', R, 'wave'))
if wave ~= tonumber(ARGV[1]) or open_in_wave() > 0 then return {'noop'} end
local total = #cjson.decode(redis.call('HGET', R, 'waveBounds'))
if wave >= total then
  local final = 'succeeded'
  if redis.call('ZCARD', S.failed) > 0 then final = 'failed' end
  redis.call('HSET', R, 'status', final, 'finishedAt', now, 'updatedAt', now)
  redis.call('SREM', ACTIVE, ID)
  return {'finished', final}
end
redis.call('HSET', R, 'wave', wave + 1, 'updatedAt', now)
if ARGV[3] == '1' then
  local why = 'wave ' .. wave .. ' of ' .. total .. ' finished; resume to start wave ' .. (wave + 1)
  redis.call('HSET', R, 'status', 'paused', 'pausedReason', why)
  return {'paused', why}
end
return {'next', tostring(wave + 1)}
`;

/**
 * Operator control: ARGV: action, allowedFromCsv, nowMs, reason.
 * → {'ok', previousStatus, gen, moved} | {'refused', status}
 */
export const CONTROL = `${PRELUDE}
local action, now, reason = ARGV[1], ARGV[3], ARGV[4]
local status = redis.call('HGET', R, 'status')
if not status then return {'refused', 'missing'} end
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == status then allowed = true end end
if not allowed then return {'refused', status} end
local moved = 0
if action == 'pause' then
  redis.call('HSET', R, 'status', 'paused', 'pausedReason', reason, 'updatedAt', now)
elseif action == 'resume' then
  redis.call('HSET', R, 'status', 'running', 'updatedAt', now)
  redis.call('HDEL', R, 'pausedReason')
  redis.call('HINCRBY', R, 'gen', 1)
elseif action == 'cancel' then
  moved = move_all('pending', 'cancelled', reason, now)
  redis.call('HSET', R, 'status', 'cancelled', 'cancelReason', reason, 'finishedAt', now, 'updatedAt', now)
  redis.call('HDEL', R, 'pausedReason')
elseif action == 'retry' then
  if redis.call('ZCARD', S.failed) == 0 then return {'refused', 'no-failed-targets'} end
  moved = move_all('failed', 'pending', nil, now)
  redis.call('HSET', R, 'status', 'running', 'updatedAt', now)
  redis.call('HDEL', R, 'pausedReason', 'finishedAt', 'failureReason')
  redis.call('HINCRBY', R, 'gen', 1)
  redis.call('SADD', ACTIVE, ID)
end
return {'ok', status, redis.call('HGET', R, 'gen') or '0', tostring(moved)}
`;

/**
 * Create a rollout (and its idempotency record) atomically. KEYS: rollout, index, active, idemKey.
 * ARGV: id, fieldsJson, idemValue ('' = no key), idemTtlSeconds → {'created'} | {'exists', idemValue}
 */
export const CREATE = `
local R, INDEX, ACTIVE, IDEM = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if ARGV[3] ~= '' then
  local existing = redis.call('GET', IDEM)
  if existing then return {'exists', existing} end
end
local fields = cjson.decode(ARGV[2])
for k, v in pairs(fields) do redis.call('HSET', R, k, v) end
redis.call('ZADD', INDEX, 0, ARGV[1])
redis.call('SADD', ACTIVE, ARGV[1])
if ARGV[3] ~= '' then redis.call('SET', IDEM, ARGV[3], 'EX', ARGV[4]) end
return {'created'}
`;
