-- wrk script for `manage.py load_test`: one thread per desk user, each on its own connection, typing in the
-- reply editor (a live check every 0.5 s of think time) and now and then opening the inbox or the review, or
-- approving the next reply waiting in their queue.
-- USERS_FILE lines: "<sessionid> <csrftoken> <review id> <queue>", queue "<review id>:<revision>,..." or "-";
-- MIX=typing (only live checks) or desk (mixed).
local users, next_user = {}, 1
for line in io.lines(os.getenv("USERS_FILE")) do
  local session, csrf, review, queue = line:match("(%S+) (%S+) (%S+) (%S+)")
  local waiting = {}
  for id, revision in queue:gmatch("(%d+):(%d+)") do waiting[#waiting + 1] = {id = id, revision = revision} end
  users[#users + 1] = {session = session, csrf = csrf, review = review, waiting = waiting}
end
local threads = {}

function setup(thread)
  thread:set("user", next_user)
  next_user = next_user % #users + 1
  threads[#threads + 1] = thread
end

local me, count, headers, form = nil, 0, {}, {}
errors = 0  -- globals: done() reads them from each thread
approvals = 0
local draft = "Thank you for writing to us. We are sorry the afternoon felt rushed and that nobody explained "
  .. "the delay. Please call our client experience lead at (303) 555-0186 so we can listen and make it right."

function init(args)
  me = users[user]
  -- wrk.format replaces wrk.headers with the table it is given, so each request names all of its headers.
  for _, h in ipairs({headers, form}) do
    h["Cookie"] = "sessionid=" .. me.session .. "; csrftoken=" .. me.csrf
    h["X-CSRFToken"] = me.csrf
    h["HX-Request"] = "true"
  end
  form["Content-Type"] = "application/x-www-form-urlencoded"
end

function delay()
  return 500
end

function request()
  count = count + 1
  local mix = os.getenv("MIX") or "desk"
  if mix == "desk" and count % 10 == 0 then
    return wrk.format("GET", "/", headers)
  elseif mix == "desk" and count % 10 == 5 then
    return wrk.format("GET", "/reviews/" .. me.review, headers)
  elseif mix == "desk" and count % 10 == 7 and approvals < #me.waiting then
    approvals = approvals + 1
    local reply = me.waiting[approvals]
    return wrk.format("POST", "/reviews/" .. reply.id .. "/reply/approve", form, "expected_revision=" .. reply.revision)
  end
  -- a slightly different text each time, as while typing
  local body = "text=" .. (draft .. string.rep(" Thanks.", count % 4)):gsub(" ", "+"):gsub("%(", "%%28")
    :gsub("%)", "%%29")
  return wrk.format("POST", "/reviews/" .. me.review .. "/reply/check", form, body)
end

function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local failed, approved = 0, 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("errors")
    approved = approved + thread:get("approvals")
  end
  io.write(string.format("RESULT requests=%d non200=%d socket_errors=%d approvals_sent=%d p50_ms=%.1f p95_ms=%.1f "
    .. "p99_ms=%.1f max_ms=%.1f rps=%.1f\n", summary.requests, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, approved,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests / (summary.duration / 1e6)))
end
