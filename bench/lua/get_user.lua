-- get_user.lua: GET {prefix}{id} with the bearer token, ids spread
-- uniformly over the seeded users.  Baseline (b) uses it with its own
-- prefix (it ignores the token).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers

function request()
	headers = headers or bench.bearer()
	local id = bench.first_id + math.random(0, bench.users - 1)
	return wrk.format("GET", bench.prefix .. id, headers)
end
