#!/usr/bin/python3
"""What a screen reader hears from the running kiosk: reads the kiosk's accessibility tree over
AT-SPI (as Orca does), checks that the start screen's controls are there with their roles and
labels, presses 「はじめる」 through its accessible action, and checks the next screen's title.
Run by scripts/check-screen-reader inside a private D-Bus session with its own AT-SPI bus."""
import sys
import time

import pyatspi


def find_kiosk(seconds):
    desktop = pyatspi.Registry.getDesktop(0)
    deadline = time.time() + seconds
    while time.time() < deadline:
        for app in desktop:
            if app is not None and app.name == "madoguchi":
                return app
        time.sleep(0.5)
    sys.exit("screen reader: the kiosk is not on the accessibility bus")


def tree(node, depth=0, found=None):
    """(role, name) of every showing element under `node`."""
    found = [] if found is None else found
    try:
        role, name = node.getRoleName(), node.name
    except Exception:
        return found
    found.append((depth, role, name))
    for child in node:
        if child is not None:
            tree(child, depth + 1, found)
    return found


def element(app, role, name):
    stack = [app]
    while stack:
        node = stack.pop()
        try:
            if node.getRoleName() == role and node.name == name:
                return node
        except Exception:
            continue
        stack.extend(child for child in node if child is not None)
    return None


def wait_for(app, role, name, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        node = element(app, role, name)
        if node is not None:
            return node
        time.sleep(0.3)
    heard = "\n".join(f"{'  ' * d}{r}: {n!r}" for d, r, n in tree(app))
    sys.exit(f"screen reader: no {role} {name!r}; it hears:\n{heard}")


app = find_kiosk(30)
for name in ["よみあげ", "言語\nLanguage", "見やすく", "はじめる"]:
    wait_for(app, "push button", name)
wait_for(app, "label", "QRコードで 引っ越しの 書類を 印刷できます")
start = element(app, "push button", "はじめる")
action = start.queryAction()
names = [action.getName(i) for i in range(action.nActions)]
if not names:
    sys.exit("screen reader: 「はじめる」 offers no action")
action.doAction(0)
wait_for(app, "label", "QRコードを カメラに みせてください")
print("screen reader: the start screen's 4 buttons and title heard; 「はじめる」 pressed by its "
      f"action ({names[0]}); the scan screen's title heard")
