#!/bin/sh
# The credential_process of the one AWS profile SAM uses inside dsync's
# container ("dsync", see aws-config): it prints the credentials dsync put in
# this command's environment, resolved on the host. Nothing is stored; a
# profile named in samconfig is overridden by `--profile dsync`, so SAM never
# looks for the host's profiles here.
if [ -z "$AWS_ACCESS_KEY_ID" ] || [ -z "$AWS_SECRET_ACCESS_KEY" ]; then
  echo "dsync: no AWS credentials were passed to this command" >&2
  exit 1
fi
if [ -n "$AWS_SESSION_TOKEN" ]; then
  printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s"}\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"
else
  printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
fi
