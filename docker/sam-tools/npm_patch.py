"""dsync's shortcut for a source edit of a function SAM builds with its npm
or pip builder.

SAM's npm builder makes a function's artifact by `npm pack` (which decides
which files are in), copying the packed sources, and `npm install` of the
dependencies; its pip builder copies the function's folder (less Python's
caches) and installs requirements.txt. When only source files changed (no
package.json, lock file, .npmignore, .gitignore or requirements.txt, no
template change), the new artifact is the last one with those files' new
bytes: a file that was in the last artifact is in the next one, at the same
place, byte for byte. So:

- `snapshot ID...`: after SAM built and deployed a function (and dsync checked
  what was deployed), keep its build folder (.aws-sam/build/ID, hard links)
  under .aws-sam/dsync-artifacts/ID: `sam sync --code` cleans the build
  folder and keeps only what it built last.
- `drop ID...`: before SAM builds these functions, forget their artifacts
  (a build that fails leaves no artifact behind to patch).
- `patch --stack S --function ID --code-dir D --changed P...`: apply the
  edits to that copy (a changed file that is in it is rewritten; a removed
  one is removed) and update the function's code with the zip, through
  Lambda's UpdateFunctionCode, the API `sam sync --code` calls. Anything it
  cannot decide (a new file: would the builder include it?; a folder; no copy
  yet) is a fallback to SAM, said on the last line.
  SAM's record of what it synced (.aws-sam/sync.toml) loses the function's
  entry, so SAM never skips its next sync of that function as unchanged.

The last line is `DSYNC_PATCH {"ok": true}` or `DSYNC_PATCH {"fallback": "why"}`.
"""

import io
import json
import os
import re
import shutil
import sys
import zipfile

ARTIFACTS = ".aws-sam/dsync-artifacts"
BUILD = ".aws-sam/build"


def say(verdict):
    print("DSYNC_PATCH " + json.dumps(verdict), flush=True)
    return 0


def snapshot(ids):
    os.makedirs(ARTIFACTS, exist_ok=True)
    for fid in ids:
        source = os.path.join(BUILD, fid)
        target = os.path.join(ARTIFACTS, fid)
        if not os.path.isdir(source):
            shutil.rmtree(target, ignore_errors=True)
            continue
        fresh = target + ".new"
        shutil.rmtree(fresh, ignore_errors=True)
        # Hard links: SAM removes its build folder before the next build instead of writing into it.
        shutil.copytree(source, fresh, symlinks=True, copy_function=os.link)
        shutil.rmtree(target, ignore_errors=True)
        os.rename(fresh, target)
    return say({"ok": True})


def _inside(root, rel):
    full = os.path.normpath(os.path.join(root, rel))
    return full if full == root or full.startswith(root + os.sep) else None


def _zip(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for here, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(here, name)
                info = zipfile.ZipInfo.from_file(full, os.path.relpath(full, folder))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(full, "rb") as f:
                    archive.writestr(info, f.read())
    return buffer.getvalue()


def _forget_sync_state(fid):
    path = ".aws-sam/sync.toml"
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return
    pattern = re.compile(r'^\[resource_sync_states\."[^"]*:' + re.escape(fid) + r'"\]\n(?:(?!\[).*\n?)*', re.M)
    updated = pattern.sub("", text)
    if updated != text:
        with open(path, "w") as f:
            f.write(updated)


def _lifecycle_scripts(code_root):
    """The scripts of package.json that npm pack runs: they may build files (a dist/ from src/) the shortcut would not."""
    try:
        with open(os.path.join(code_root, "package.json"), encoding="utf-8") as f:
            scripts = (json.load(f) or {}).get("scripts") or {}
    except (OSError, ValueError, AttributeError):
        scripts = {}
    return [name for name in ("prepare", "prepack", "postpack") if name in scripts]


def plan_edits(artifact, code_root, code_dir, changed):
    """([(action, source, target)], None), or (None, why the shortcut cannot decide)."""
    plan = []
    for rel in changed:
        source = _inside(code_root, rel)
        target = _inside(artifact, rel)
        if source is None or target is None:
            return None, f"{rel} is not inside {code_dir}"
        if os.path.islink(source) or os.path.isdir(source):
            return None, f"{rel} is a folder or a link"
        exists_now = os.path.isfile(source)
        in_artifact = os.path.isfile(target) and not os.path.islink(target)
        if exists_now and not in_artifact:
            return None, f"{rel} is new: whether SAM's builder includes it is SAM's to decide"
        if exists_now:
            plan.append(("write", source, target))
        elif in_artifact:
            plan.append(("remove", None, target))
        elif os.path.isdir(target) and not os.path.islink(target):
            # A removed folder arrives as its one path: everything below it goes.
            plan.append(("remove-folder", None, target))
    return plan, None


def apply_edits(plan):
    for action, source, target in plan:
        # Replace, never write through: the copy shares its inodes with SAM's build folder.
        if action == "remove":
            os.unlink(target)
            continue
        if action == "remove-folder":
            shutil.rmtree(target)
            continue
        mode = os.stat(target).st_mode & 0o7777
        fresh = target + ".dsync-new"
        shutil.copyfile(source, fresh)
        os.chmod(fresh, mode)
        os.replace(fresh, target)


def _update_code(stack, fid, data):
    """UpdateFunctionCode with the zip, as `sam sync --code` does, and wait until it is live."""
    import boto3

    name = boto3.client("cloudformation").describe_stack_resource(StackName=stack, LogicalResourceId=fid)["StackResourceDetail"]["PhysicalResourceId"]
    client = boto3.client("lambda")
    client.update_function_code(FunctionName=name, ZipFile=data)
    if not os.environ.get("AWS_ENDPOINT_URL"):
        # AWS applies an update asynchronously; "live" means the new code answers.
        client.get_waiter("function_updated").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 300})


def patch(stack, fid, code_dir, changed):
    artifact = os.path.abspath(os.path.join(ARTIFACTS, fid))
    code_root = os.path.abspath(code_dir)
    if not os.path.isdir(artifact):
        return say({"fallback": f"no earlier artifact of {fid}"})
    lifecycle = _lifecycle_scripts(code_root)
    if lifecycle:
        return say({"fallback": f"package.json has {', '.join(lifecycle)} scripts, which npm pack runs"})
    plan, why = plan_edits(artifact, code_root, code_dir, changed)
    if plan is None:
        return say({"fallback": why})
    apply_edits(plan)
    data = _zip(artifact)
    print(f" Running DsyncPatch:CopySource ({len(plan)} file(s) into the last artifact, {len(data)} bytes zipped)", flush=True)
    _update_code(stack, fid, data)
    _forget_sync_state(fid)
    print(f"Finished syncing Lambda Function {fid}.", flush=True)
    return say({"ok": True})


def drop(ids):
    """SAM is about to build these: until it has, and dsync has checked it, there is no artifact to patch."""
    for fid in ids:
        shutil.rmtree(os.path.join(ARTIFACTS, fid), ignore_errors=True)
    return say({"ok": True})


def parse_patch_args(argv):
    """`--stack S --function ID --code-dir D --changed P...` as {"stack", "function", "code_dir", "changed"}."""
    args = {"changed": []}
    i = 0
    while i < len(argv):
        key = argv[i]
        if key == "--changed":
            args["changed"].extend(argv[i + 1 :])
            break
        args[key.lstrip("-").replace("-", "_")] = argv[i + 1]
        i += 2
    return args


def main(argv):
    if argv and argv[0] == "snapshot":
        return snapshot(argv[1:])
    if argv and argv[0] == "drop":
        return drop(argv[1:])
    if argv and argv[0] == "patch":
        args = parse_patch_args(argv[1:])
        try:
            return patch(args["stack"], args["function"], args["code_dir"], args["changed"])
        except Exception as error:  # noqa: BLE001 - any surprise is a fallback to SAM, never a half update
            return say({"fallback": f"{type(error).__name__}: {error}"})
    print("usage: npm_patch.py snapshot ID... | drop ID... | patch --stack S --function ID --code-dir D --changed P...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
