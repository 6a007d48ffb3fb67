from pda_client.devices.scanner import FakeScanner, KeyboardWedgeScanner


def test_keyboard_wedge_delivers_on_enter() -> None:
    got: list[str] = []
    wedge = KeyboardWedgeScanner()
    wedge.start(got.append)
    for ch in "LPN00000001":
        wedge.key(ch)
    assert got == []
    wedge.key("enter")
    wedge.text("A-01-01-A")
    wedge.key("\r")  # an empty Enter is not a scan
    assert got == ["LPN00000001", "A-01-01-A"]
    wedge.stop()
    wedge.text("ignored")
    assert got == ["LPN00000001", "A-01-01-A"]


def test_fake_scanner() -> None:
    got: list[str] = []
    fake = FakeScanner()
    fake.start(got.append)
    fake.scan("]C1" + "00106141410000123459")
    assert got == ["]C100106141410000123459"]
