-- mixed.lua: the memory run's mix of what workers meet, round robin:
-- a user, a page of users, an unknown path, malformed JSON (422), a
-- password too short (422), a bad token (401), an over-long query, a
-- percent-encoded NUL (400) and a PATCH refused by validation.  Each wrk
-- thread stops after BENCH_PER_THREAD answers.  Errors are the point
-- here, so wrk's non-2xx count means nothing: a 5xx is written to
-- $BENCH_OUT.5xx instead.  Only the users worker is spoken to, so every
-- request grows or does not grow the same processes.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local quota = tonumber(os.getenv("BENCH_PER_THREAD") or "50000")
local seen, n = 0, 0
local bearer, json, bad

local function user_id()
	return bench.first_id + math.random(0, bench.users - 1)
end

function request()
	bearer = bearer or bench.bearer()
	json = json or bench.json_headers()
	bad = bad or { ["Authorization"] = "Bearer not.a.token" }
	n = n + 1
	local k = n % 9
	if k == 0 then
		return wrk.format("GET", "/api/users/" .. user_id(), bearer)
	elseif k == 1 then
		return wrk.format("GET", "/api/users/?page=" ..
		    math.random(1, 40) .. "&limit=25", bearer)
	elseif k == 2 then
		return wrk.format("GET", "/api/users/" .. user_id() .. "/nope",
		    bearer)
	elseif k == 3 then
		return wrk.format("POST", "/api/users/", json,
		    '{"email": "x@example.com", "name": [1, 2, {"a": ')
	elseif k == 4 then
		-- Refused before any hashing: a taken email (409) would cost
		-- a bcrypt each and turn this into a hashing benchmark.
		return wrk.format("POST", "/api/users/", json, string.format(
		    '{"email":"%s","name":"Short","password":"short"}',
		    bench.email(math.random(1, bench.users))))
	elseif k == 5 then
		return wrk.format("GET", "/api/users/" .. user_id(), bad)
	elseif k == 6 then
		return wrk.format("GET", "/api/users/?page=" ..
		    string.rep("9", 400), bearer)
	elseif k == 7 then
		return wrk.format("GET", "/api/users/?page=1%00", bearer)
	end
	return wrk.format("PATCH", "/api/users/" .. user_id(), json,
	    '{"name": "A"}')
end

function response(status, headers, body)
	if status >= 500 then
		local f = assert(io.open(os.getenv("BENCH_OUT") .. ".5xx", "a"))
		f:write(status, "\n")
		f:close()
	end
	seen = seen + 1
	if seen >= quota then
		wrk.thread:stop()
	end
end
