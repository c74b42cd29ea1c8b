"""A scratch HOME configured for the bcs CLI against the engine, and a function running
`bcs ARGS…` there through bcs_local.py. Shared by the bcs test scripts."""
import os
import subprocess
import sys


def bcs_runner(port, key_id, secret, home):
    os.makedirs(os.path.join(home, '.batchcompute'), exist_ok=True)
    with open(os.path.join(home, '.batchcompute', 'cliconfig'), 'w') as f:
        f.write('[common]\nregion = cn-qingdao\naccesskeyid = %s\naccesskeysecret = %s\nssl = false\n'
                'osspath = oss://mybucket/bcscli/\ndefaultimage = img-ubuntu\ndefaulttype = ecs.sn1.medium\n'
                'vpc_cidr_block = 192.168.0.0/16\n' % (key_id, secret))
    env = dict(os.environ, HOME=home, BCS_PORT=str(port))
    launcher = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bcs_local.py')

    def bcs(*args):
        out = subprocess.run([sys.executable, launcher] + list(args), env=env, capture_output=True, text=True, timeout=120)
        return out.stdout + out.stderr
    return bcs
