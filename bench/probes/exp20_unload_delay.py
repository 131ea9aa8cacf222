"""thread_unload_delay_secs: does it unload unsubscribed threads sooner and bound RSS?

Runs beside the probes of /work/shared/probe (asclient.py, mock.py, ./probe-work/catalog.json from
make_fixtures.py); CODEX_BIN is the native binary. Usage: exp20_unload_delay.py <secs or default> [threads]
Result 2026-11-24 (ADR 13): default -> 301 loaded, 390 MiB; 0 -> 1 loaded, 147 MiB, 300 thread/closed.
"""
import json, os, shutil, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from asclient import AppServer, start_mock
BIN = os.environ['CODEX_BIN']
PORT = 18677
LOG = './probe-work/out/unload_mock'; shutil.rmtree(LOG, ignore_errors=True); os.makedirs(LOG, exist_ok=True)
mock = start_mock(PORT, LOG, save=False)
LOCK = ["features.shell_snapshot=false", "features.shell_tool=false","features.unified_exec=false","web_search=\"disabled\"","features.goals=false","features.multi_agent=false","features.view_image=false","tools.experimental_request_user_input.enabled=false","skills.include_instructions=false","skills.bundled.enabled=false","include_permissions_instructions=false","include_environment_context=false","include_apps_instructions=false","include_collaboration_mode_instructions=false","features.apps=false","features.plugins=false",
        'model_catalog_json="./probe-work/catalog.json"', 'model="my-upstream-model"']
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
delay = sys.argv[1]
extra = LOCK + ([f'thread_unload_delay_secs={delay}'] if delay != 'default' else [])
home = f'./probe-work/home-unload-{delay}'; shutil.rmtree(home, ignore_errors=True)
a = AppServer(PORT, home, extra_config=extra, extra_args=['--strict-config'], binary=BIN)
def loaded(): return a.request('thread/loaded/list', {})['result']['data']
def turn(tid):
    i0 = len(a.events)
    a.request('turn/start', {'threadId': tid, 'input': [{'type': 'text', 'text': 'hi'}]}); a.wait_turn_completed(tid, 20, i0)
try:
    a.initialize()
    print(f'delay={delay} base RSS {a.rss_kb()//1024} MiB')
    keep = a.request('thread/start', {'ephemeral': True, 'baseInstructions': 'B'})['result']['thread']['id']
    turn(keep)
    t0 = time.time()
    for i in range(N):
        tid = a.request('thread/start', {'ephemeral': True, 'baseInstructions': 'B'})['result']['thread']['id']
        turn(tid)
        a.request('thread/unsubscribe', {'threadId': tid})
    el = time.time() - t0
    print(f'{N} threads (start+turn+unsubscribe) in {el:.1f}s; right after: loaded={len(loaded())} RSS={a.rss_kb()//1024} MiB')
    for w in (1, 2, 5):
        time.sleep(w); print(f'  +{w}s loaded={len(loaded())} RSS={a.rss_kb()//1024} MiB')
    ld = loaded()
    print('subscribed thread still loaded:', keep in ld)
    i0 = len(a.events); turn(keep)
    st = [m['params']['turn']['status'] for t, m in a.events[i0:] if m.get('method') == 'turn/completed']
    print('second turn on the subscribed thread:', st)
    closed = sum(1 for t, m in a.events if m.get('method') == 'thread/closed')
    print('thread/closed notifications:', closed)
finally:
    a.close(); mock.terminate()
