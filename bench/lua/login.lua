-- login.lua: POST /api/auth/login (JSON) as a random seeded user.  With
-- BENCH_WRONG_PASSWORD set, every attempt uses a wrong password (the
-- flood of the "reads under a login flood" scenario).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local wrong = os.getenv("BENCH_WRONG_PASSWORD")

function request()
	local body = string.format('{"email":"%s","password":"%s"}',
	    bench.email(math.random(1, bench.users)),
	    wrong or bench.password)
	return wrk.format("POST", "/api/auth/login", bench.json_headers(), body)
end
