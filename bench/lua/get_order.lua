-- get_order.lua: GET /api/orders/{id} with the bearer token of the
-- orders' owner, ids spread uniformly over that owner's orders
-- ($BENCH_ORDER_IDS, comma-separated, as bench/run read them from the
-- database after seeding).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers
local ids

function request()
	headers = headers or bench.bearer()
	if not ids then
		ids = {}
		for id in string.gmatch(os.getenv("BENCH_ORDER_IDS") or "", "%d+") do
			ids[#ids + 1] = id
		end
		assert(#ids > 0, "BENCH_ORDER_IDS is empty")
	end
	return wrk.format("GET", "/api/orders/" .. ids[math.random(1, #ids)],
	    headers)
end
