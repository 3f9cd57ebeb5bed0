#!/bin/sh
# The demo release's decision task (docs/examples/demo-release-hook.json runs it as
# `release-decision`, from the worker's tools directory). With the task's own credentials
# (TASKCLUSTER_*), it creates the release's two tasks in its own task group and writes them, as
# created, to task-graph.json, which the worker uploads as public/task-graph.json and signs:
#   build    on proj-demo/ci: builds out/app.txt for $REVISION (public/build/app.txt)
#   signing  on proj-demo/signing, after the build and this decision task (whose signed task
#            graph the verifier reads), holding project:demo:signing:cert:release:
#            consumes the build's app.txt (upstreamArtifacts) and "signs" it (its SHA-256 in
#            public/release/app.txt.sha256). The signing worker verifies the chain first, and
#            fetches the build's artifact with the signing task's own credentials (hence its
#            queue:get-artifact:public/build/* scope).
set -eu
: "${REPOSITORY:?}" "${REVISION:?}" "${TASK_ID:?}" "${TASKCLUSTER_QUEUE_ADDRESS:?}"

build=$(bulwark slugid)
signing=$(bulwark slugid)
created=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
deadline=$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%S.000Z)
source="$REPOSITORY/tree/$REVISION"

cat > build.json <<JSON
{"taskQueueId": "proj-demo/ci", "schedulerId": "-", "taskGroupId": "$TASK_ID",
 "created": "$created", "deadline": "$deadline",
 "metadata": {"name": "build $REVISION", "description": "builds the app",
              "owner": "release@example.com", "source": "$source"},
 "payload": {"command": ["sh", "-c", "mkdir -p out && printf 'demo app at %s\\\\n' \\"\$REVISION\\" > out/app.txt"],
             "env": {"REVISION": "$REVISION"}, "maxRunTime": 600,
             "artifacts": [{"name": "public/build/app.txt", "path": "out/app.txt", "type": "file"}]}}
JSON
cat > signing.json <<JSON
{"taskQueueId": "proj-demo/signing", "schedulerId": "-", "taskGroupId": "$TASK_ID",
 "created": "$created", "deadline": "$deadline", "dependencies": ["$build", "$TASK_ID"],
 "scopes": ["project:demo:signing:cert:release", "queue:get-artifact:public/build/*"],
 "metadata": {"name": "sign $REVISION", "description": "signs the build's app",
              "owner": "release@example.com", "source": "$source"},
 "payload": {"command": ["sh", "-c", "mkdir -p release && sha256sum cot/$build/public/build/app.txt | cut -d' ' -f1 > release/app.txt.sha256"],
             "maxRunTime": 600,
             "upstreamArtifacts": [{"taskId": "$build", "taskType": "build", "paths": ["public/build/app.txt"]}],
             "artifacts": [{"name": "public/release/app.txt.sha256", "path": "release/app.txt.sha256", "type": "file"}]}}
JSON

printf '{"%s": {"task": %s},\n "%s": {"task": %s}}\n' \
  "$build" "$(cat build.json)" "$signing" "$(cat signing.json)" > task-graph.json
for t in build signing; do
  eval id=\$$t
  bulwark call --authority="$TASKCLUSTER_QUEUE_ADDRESS" bulwark.queue.v1.Queue/CreateTask \
    "{\"taskId\": \"$id\", \"task\": $(cat $t.json)}" > /dev/null
  echo "created the $t task $id"
done
