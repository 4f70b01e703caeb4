-- login.lua: POST /api/auth/login (JSON) as a random seeded user, but
-- for the holders of the bench's tokens.  With
-- BENCH_WRONG_PASSWORD set, every attempt uses a wrong password (the
-- flood of the "reads under a login flood" scenario).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local wrong = os.getenv("BENCH_WRONG_PASSWORD")

-- Never the two users whose tokens the other scenarios use, user 1 and
-- the admin (the last): a user has at most 50 live sessions, the 51st
-- login ends the oldest, and that would be the token's (then 401s).
local first, last = 2, bench.users - 1
if last < first then
	first, last = 1, bench.users
end

function request()
	local body = string.format('{"email":"%s","password":"%s"}',
	    bench.email(math.random(first, last)),
	    wrong or bench.password)
	return wrk.format("POST", "/api/auth/login", bench.json_headers(), body)
end
