"""A debugged function's source maps, as a debugger on the host needs them
(pure file work): sources that named SAM's scratch folder name the files
beside the code in the emulator's folder, and the map goes inline."""

import base64
import json
import os

from dsync_emulator.lambda_runner import source_maps


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def inline_map(script):
    with open(script, encoding="utf-8") as f:
        last = f.read().rstrip("\n").rsplit("\n", 1)[-1]
    assert last.startswith("//# sourceMappingURL=data:application/json;charset=utf-8;base64,")
    return json.loads(base64.b64decode(last.split(",", 1)[1]))


def test_sources_from_sams_scratch_folder_become_the_files_beside_the_code(tmp_path):
    mirror = tmp_path / "workspace"
    code_dir = mirror / "src" / "stats"
    write(str(code_dir / "app.ts"), "export const handler = 1;\n")
    write(str(code_dir / "lib" / "summary.ts"), "export const x = 1;\n")
    write(str(mirror / "shared" / "money.ts"), "export const m = 1;\n")
    task = tmp_path / "debug" / "StatsFunction" / "task"
    scratch = [
        "../../../../../tmp/tmpygmg0k8t/app.ts",
        "../../../../../tmp/tmpygmg0k8t/lib/summary.ts",
        "../../../../../tmp/tmpygmg0k8t/shared/money.ts",
        "node:events",
    ]
    write(str(task / "app.js"), "console.log(1);\n//# sourceMappingURL=app.js.map\n")
    write(str(task / "app.js.map"), json.dumps({"version": 3, "sources": scratch, "sourceRoot": "", "mappings": "AAAA"}))
    write(str(task / "node_modules" / "dep" / "index.js"), "//# sourceMappingURL=index.js.map\n")

    assert source_maps.prepare(str(task), str(code_dir), str(mirror), "file:///C:/Users/ana/shop") == 1
    found = inline_map(str(task / "app.js"))
    assert found["sources"] == [str(task / "app.ts"), str(task / "lib" / "summary.ts"), "file:///C:/Users/ana/shop/shared/money.ts", "node:events"]
    assert "sourceRoot" not in found and found["mappings"] == "AAAA"
    # Again (the same version): nothing changes.
    source_maps.prepare(str(task), str(code_dir), str(mirror), "file:///C:/Users/ana/shop")
    assert inline_map(str(task / "app.js"))["sources"] == found["sources"]


def test_an_inline_map_is_rewritten_in_place_and_a_script_without_one_is_left_alone(tmp_path):
    code_dir = tmp_path / "code"
    write(str(code_dir / "app.ts"), "x\n")
    task = tmp_path / "task"
    encoded = base64.b64encode(json.dumps({"version": 3, "sources": ["/tmp/tmpabc/app.ts"], "mappings": ""}).encode()).decode()
    write(str(task / "app.mjs"), f"export {{}};\n//# sourceMappingURL=data:application/json;base64,{encoded}\n")
    write(str(task / "plain.js"), "module.exports = 1;\n")
    assert source_maps.prepare(str(task), str(code_dir), None) == 1
    assert inline_map(str(task / "app.mjs"))["sources"] == [str(task / "app.ts")]
    assert (task / "plain.js").read_text() == "module.exports = 1;\n"
