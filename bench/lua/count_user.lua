-- count_user.lua: get_user.lua that stops each wrk thread after
-- BENCH_PER_THREAD answers (the memory measurement's fixed number of
-- requests).
dofile(os.getenv("BENCH_LUA_DIR") .. "/get_user.lua")

local quota = tonumber(os.getenv("BENCH_PER_THREAD") or "50000")
local seen = 0

function response(status, headers, body)
	seen = seen + 1
	if seen >= quota then
		wrk.thread:stop()
	end
end
