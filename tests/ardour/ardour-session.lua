-- ardour-session.lua: run by luasession from tests/ardour/ardour-session.
-- Creates a session, turns its OSC surface on, reloads it, writes READYFILE
-- and keeps it loaded until STOPFILE exists or LIFETIME seconds passed
-- (0: no limit).
-- args: SESSION_DIR SESSION_NAME READYFILE STOPFILE LIFETIME
--       NBUSSES BUS_NAME... TRACK_NAME...
local dir, name, readyfile, stopfile = arg[1], arg[2], arg[3], arg[4]
local lifetime, nbus = tonumber(arg[5]), tonumber(arg[6])
local busses, tracks = {}, {}
for i = 7, #arg do
  if i < 7 + nbus then busses[#busses + 1] = arg[i] else tracks[#tracks + 1] = arg[i] end
end

local function log(...) print("ardour-session.lua:", ...); io.stdout:flush() end
local function die(msg) log("ERROR: " .. msg); os.exit(2) end
local function exists(p)
  local h = io.open(p, "r")
  if h then h:close(); return true end
  return false
end

-- PLUGIN (environment): the name of a Lua DSP plugin Ardour ships ("ACE
-- Amplifier") to put on every track, first in its processor box.
local plugin = os.getenv("PLUGIN") or ""

local s = create_session(dir, name, 48000)
if not s then die("create_session failed for " .. dir) end
local order = ARDOUR.PresentationInfo.max_order  -- append: tracks, then busses
for _, n in ipairs(tracks) do
  local tl = s:new_audio_track(1, 2, nil, 1, n, order, ARDOUR.TrackMode.Normal, true)
  if tl:size() ~= 1 then die("could not add track " .. n) end
  if plugin ~= "" then
    local p = ARDOUR.LuaAPI.new_luaproc(s, plugin)
    if p:isnil() then die("no Lua DSP plugin named " .. plugin) end
    if tl:front():to_route():add_processor_by_index(p, 0, nil, true) ~= 0 then
      die("could not add " .. plugin .. " to " .. n)
    end
  end
end
for _, n in ipairs(busses) do
  local rl = s:new_audio_route(2, 2, nil, 1, n, ARDOUR.PresentationInfo.Flag.AudioBus, order)
  if rl:size() ~= 1 then die("could not add bus " .. n) end
end
-- SENDS=1 (environment): every track sends to each bus, in bus order
if os.getenv("SENDS") == "1" then
  for _, t in ipairs(tracks) do
    local r = s:route_by_name(t)
    for _, n in ipairs(busses) do
      local bus = s:route_by_name(n)
      if r:isnil() or bus:isnil() then die("no route " .. t .. " or " .. n) end
      log("send from " .. t .. " to " .. n)
      if r:add_aux_send(bus, r:main_outs()) ~= 0 then
        die("could not add a send from " .. t .. " to " .. n)
      end
    end
  end
end
s:save_state("", false, false, false, false, false)
close_session()
s = nil

-- Control protocols are only instantiated when a session loads, and Lua has
-- no handle on the ControlProtocolManager: switch OSC on in the XML.
local path = dir .. "/" .. name .. ".ardour"
local f = io.open(path, "r") or die("cannot read " .. path)
local xml = f:read("a")
f:close()
local old = '<Protocol name="Open Sound Control (OSC)" active="0"/>'
local new = '<Protocol name="Open Sound Control (OSC)" active="1" debugmode="0"' ..
  ' address-only="0" remote-port="8000" banksize="0" striptypes="31" feedback="0"' ..
  ' gainmode="0" send-page-size="0" plugin-page-size="0"/>'
local a, b = string.find(xml, old, 1, true)
if not a then die("no inactive OSC Protocol node in " .. path) end
xml = string.sub(xml, 1, a - 1) .. new .. string.sub(xml, b + 1)
f = io.open(path, "w") or die("cannot write " .. path)
f:write(xml)
f:close()

s = load_session(dir, name)
if not s then die("load_session failed for " .. path) end
log("loaded " .. path)
f = io.open(readyfile, "w") or die("cannot write " .. readyfile)
f:write("loaded\n")
f:close()

local t0 = os.time()
while not exists(stopfile) do
  if lifetime > 0 and os.time() - t0 >= lifetime then
    log("lifetime of " .. lifetime .. " s reached")
    break
  end
  sleep(0.1)
end
log("stopping")
close_session()
log("closed")
