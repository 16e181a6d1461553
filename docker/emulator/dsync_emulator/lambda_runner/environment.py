"""The environment a function runs in, as Lambda sets it: Lambda's own
variables, the function's (references already resolved by the stack deploy),
AWS_ENDPOINT_URL pointing at this emulator, dummy credentials. Each runtime
adds its own (PATH, NODE_PATH, ...)."""

import os


def lambda_environment(fn, task, stream):
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": "UTC",
        "HOME": "/tmp",
        "LAMBDA_TASK_ROOT": task,
        "LAMBDA_RUNTIME_DIR": os.path.dirname(os.path.abspath(__file__)),
        "_HANDLER": fn.handler or "",
        "AWS_REGION": fn.region,
        "AWS_DEFAULT_REGION": fn.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
        "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
        "AWS_LAMBDA_LOG_GROUP_NAME": fn.logs_group_name,
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}",
    }
    for name, value in (fn.environment_vars or {}).items():
        env[str(name)] = str(value)
    return env


def prepend_path(env, *folders):
    env["PATH"] = ":".join([*folders, env["PATH"]])
    return env
