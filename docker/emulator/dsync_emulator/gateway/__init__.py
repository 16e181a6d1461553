"""The emulator serves the app's APIs: every REST API (AWS::ApiGateway::RestApi)
and HTTP API (AWS::ApiGatewayV2::Api) of the deployed stacks is served on a
port of its own (the container's API ports, published on host loopback), and
requests route as API Gateway routes them to the Lambda function behind the
route, which lambda_runner runs.

- REST: /<stage>/<path>; resources with {param} and {proxy+}; the method or
  ANY; Lambda proxy integrations; payload format 1.0.
- HTTP: /<path> on the $default stage (/<stage>/<path> on a named one);
  route keys "METHOD /path" with {param} and {proxy+}, ANY, $default;
  payload format 2.0, or 1.0 as the integration says.
- Function URLs (AWS::Lambda::Url): every method and path, payload format
  2.0, the URL's Cors (urls.py). HTTP APIs' CorsConfiguration likewise:
  preflights answered at the front door, headers added (cors.py).
- Responses are mapped from statusCode, headers, multiValueHeaders, cookies,
  body and isBase64Encoded; a function error (or a malformed answer) is a 502
  with API Gateway's body, and the error is in the function's logs.

APIs get ports in the order of the stacks' templates (by stack name), so an
API keeps its port across edits. `GET /_dsync/apis` on the emulator lists them.
"""

import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request

from . import responses
from .apis import apis_response, invoke_logical, list_apis, stream_functions
from .serve import serve_function_url, serve_http, serve_rest

__all__ = ["Gateway", "apis_response", "invoke_logical", "list_apis", "stream_functions"]


class Gateway:
    """One werkzeug server per API port, each serving the API that list_apis gives that port."""

    def __init__(self, ports):
        self.ports = ports

    def app_for(self, port):
        def app(environ, start_response):
            request = Request(environ)
            api = next((a for a in list_apis(self.ports) if a["port"] == port), None)
            if api is None:
                response = responses.error(404, f"no API is served on this port (the stack has {len(list_apis(self.ports))} APIs)")
            else:
                try:
                    serve = {"REST": serve_rest, "HTTP": serve_http, "URL": serve_function_url}[api["type"]]
                    response = serve(api, request)
                except Exception as error:  # noqa: BLE001 - one bad request must not stop the server
                    response = responses.error(500, f"dsync's API emulation failed: {error}")
            return response(environ, start_response)

        return app

    def start(self, host):
        for port in self.ports:
            server = make_server(host, port, self.app_for(port), threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
