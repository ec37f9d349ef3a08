#!/usr/bin/env python3
"""An inventory script as Ansible's script plugin runs it: --list prints every group, and _meta.hostvars."""
import json
import sys

INVENTORY = {
    # Integer-like group names keep their place (JavaScript objects would move them first).
    "web": {"hosts": ["web1", "web2"], "vars": {"http_port": 8080}, "children": ["canary"]},
    "2024": ["web2", "db1"],
    "canary": {"hosts": ["web2"]},
    # No hosts, vars or children key: a host named like the group, with these vars (as the script plugin reads it).
    "bastion": {"ansible_host": "192.0.2.10", "ansible_port": 2200},
    "db": {"hosts": ["db1"], "vars": {"ansible_group_priority": 5, "role": "db"}},
    "all": {"vars": {"ntp": "ntp.example.com"}},
    "_meta": {"hostvars": {"web1": {"weight": 2.5, "tags": ["a", "b"]}, "db1": {"ansible_user": "postgres"}}},
}

if sys.argv[1:] == ["--list"]:
    print(json.dumps(INVENTORY, indent=2))
elif sys.argv[1:2] == ["--host"]:
    print("{}")
else:
    sys.exit("usage: script.py --list | --host NAME")
