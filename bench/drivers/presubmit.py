"""Submits N jobs to a simulator over one keep-alive connection and prints
their ids, one a line: the jobs that status-GET benchmarks then ask about.

Usage: python3 presubmit.py ENDPOINT TOKEN N PROMPT_PREFIX
"""
import http.client
import json
import sys
import urllib.parse

endpoint, token, n, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
url = urllib.parse.urlparse(endpoint)
conn = http.client.HTTPConnection(url.hostname, url.port)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
for i in range(n):
    body = json.dumps({"app": "gridrepublic:text-inference",
                       "commandLine": json.dumps({"inputs": ["%s %d" % (prefix, i)]}),
                       "tag": "gemma:2b"})
    conn.request("POST", url.path + "/jobs", body, headers)
    print(json.loads(conn.getresponse().read())["ids"][0])
