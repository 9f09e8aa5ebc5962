-- wrk script for t/bench/writes.sh: one request shape, checked answers.
--
-- Configured from the environment (wrk passes it on):
--   BENCH_METHOD      GET (default) or POST
--   BENCH_CTYPE       Content-Type of the body, if any
--   BENCH_SOAPACTION  SOAPAction header, if any
--   BENCH_BODY        request body; "@TICKET@" in it or in the path is
--                     replaced by a ticket from BENCH_TICKETS and "@USER@"
--                     by that ticket's user name
--   BENCH_TICKETS     a file of "ticket user" lines: each request takes the
--                     next line (every thread starts at its own offset),
--                     so consecutive requests carry distinct users
--   BENCH_EXPECT      a string every answer's body must hold (plain match)
--
-- An error is a socket error or timeout (wrk's own count), an answer that
-- is not 2xx, or a 2xx answer whose body lacks BENCH_EXPECT.  done()
-- prints one line that writes.sh reads:
--   BENCH rps=R p99_ms=P requests=N socket=S non2xx=X bad=B connect=C
--         read=R write=W timeout=T
-- followed, when there was one, by the first unexpected answer.

local method  = os.getenv("BENCH_METHOD") or "GET"
local ctype   = os.getenv("BENCH_CTYPE")
local action  = os.getenv("BENCH_SOAPACTION")
local body    = os.getenv("BENCH_BODY")
local expect  = os.getenv("BENCH_EXPECT") or ""
local tfile   = os.getenv("BENCH_TICKETS")

if body == "" then body = nil end

wrk.method = method
if ctype and ctype ~= "" then wrk.headers["Content-Type"] = ctype end
if action and action ~= "" then wrk.headers["SOAPAction"] = action end
wrk.body = body

local threads = {}
local nthreads = 0

function setup(thread)
    thread:set("tid", nthreads)
    nthreads = nthreads + 1
    table.insert(threads, thread)
end

-- Per thread (each has its own Lua state).
non2xx = 0
bad = 0
sample = nil

local tickets = nil
local next_i = 1

local function load_tickets(path)
    local list = {}
    for line in io.lines(path) do
        local t, u = line:match("^(%S+)%s+(%S+)")
        if t then table.insert(list, { t, u }) end
    end
    assert(#list > 0, "no tickets in " .. path)
    return list
end

local function fill(s, t)
    if s == nil then return nil end
    s = s:gsub("@TICKET@", t[1])
    s = s:gsub("@USER@", t[2])
    return s
end

function init(args)
    if tfile and tfile ~= "" then
        tickets = load_tickets(tfile)
        -- Threads start half-way round from each other.
        next_i = (tid or 0) * math.floor(#tickets / 2) % #tickets + 1
    end
end

if tfile and tfile ~= "" then
    function request()
        local t = tickets[next_i]
        next_i = next_i % #tickets + 1
        return wrk.format(nil, fill(wrk.path, t), nil, fill(body, t))
    end
end

function response(status, headers, resp)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
        if sample == nil then
            sample = "HTTP " .. status .. ": " .. (resp or "")
        end
    elseif not (resp and resp:find(expect, 1, true)) then
        bad = bad + 1
        if sample == nil then sample = resp or "(no body)" end
    end
end

function done(summary, latency, requests)
    local n2, b, first = 0, 0, nil
    for _, t in ipairs(threads) do
        n2 = n2 + (t:get("non2xx") or 0)
        b = b + (t:get("bad") or 0)
        first = first or t:get("sample")
    end
    local e = summary.errors
    local socket = e.connect + e.read + e.write + e.timeout
    local secs = summary.duration / 1e6
    io.write(string.format(
        "BENCH rps=%.1f p99_ms=%.3f requests=%d socket=%d non2xx=%d bad=%d"
        .. " connect=%d read=%d write=%d timeout=%d\n",
        summary.requests / secs, latency:percentile(99) / 1000,
        summary.requests, socket, n2, b,
        e.connect, e.read, e.write, e.timeout))
    if first then
        first = first:gsub("%s+", " ")
        io.write("BENCHSAMPLE " .. first:sub(1, 300) .. "\n")
    end
end
