-- list_users.lua: GET /api/users/?page=K&limit=20 with the bearer token,
-- K spread over the pages the seeded users fill.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers

function request()
	headers = headers or bench.bearer()
	local pages = math.max(1, math.floor(bench.users / 20))
	return wrk.format("GET", "/api/users/?page=" ..
	    math.random(1, pages) .. "&limit=20", headers)
end
