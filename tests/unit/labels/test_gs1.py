import multiprocessing
import threading

import pytest
from biip.gs1_messages import GS1Message

from labels.errors import LabelDataError
from labels.gs1 import (
    GS,
    ElementString,
    FileSerialSource,
    MemorySerialSource,
    SerialExhausted,
    SSCCGenerator,
    check_digit,
    sscc_hri,
    validate_gtin,
    validate_sscc,
)


def test_check_digit_matches_gs1_examples():
    assert check_digit("10614141000012345") == 9  # SSCC example of the GS1 General Specifications
    assert check_digit("0950110153000") == 3  # GTIN 09501101530003
    assert check_digit("629104150021") == 3  # GTIN-13 6291041500213


def test_gtin_validation_pads_to_14_and_rejects_a_wrong_check_digit():
    assert validate_gtin("6291041500213") == "06291041500213"
    with pytest.raises(LabelDataError, match=r"gtin: GTIN 6291041500214 has check digit 4, expected 3"):
        validate_gtin("6291041500214")
    with pytest.raises(LabelDataError, match="8, 12, 13 or 14 digits"):
        validate_gtin("12345")
    with pytest.raises(LabelDataError, match="content_gtin"):
        validate_gtin("1234567890123", field="content_gtin")


def test_sscc_generation_builds_extension_prefix_serial_and_check_digit():
    generator = SSCCGenerator("0614141", 1, MemorySerialSource(start=12345))
    sscc = generator.next()
    assert sscc == "106141410000123459"
    assert validate_sscc(sscc) == sscc
    parsed = GS1Message.parse_hri(f"(00){sscc}").element_strings[0].sscc
    assert parsed is not None and parsed.extension_digit == 1
    assert parsed.company_prefix is not None and parsed.company_prefix.value == "0614141"
    assert generator.next() == generator.make(12346)


def test_sscc_serial_space_never_wraps():
    generator = SSCCGenerator("061414112345", 0, MemorySerialSource(start=9999))  # 4 serial digits
    assert generator.next().startswith("0061414112345" + "9999")
    with pytest.raises(SerialExhausted):
        generator.next()


def test_sscc_generator_rejects_bad_prefix_and_extension():
    with pytest.raises(ValueError, match="company prefix"):
        SSCCGenerator("12a4567", 1, MemorySerialSource())
    with pytest.raises(ValueError, match="extension digit"):
        SSCCGenerator("0614141", 10, MemorySerialSource())


def test_sscc_human_readable_groups_the_parts():
    assert sscc_hri("106141410000123459") == "(00) 1 0614141 000012345 9"


def test_memory_sequence_is_unique_across_threads():
    source = MemorySerialSource()
    seen: list[int] = []
    lock = threading.Lock()

    def take():
        for _ in range(200):
            value = source.next_serial()
            with lock:
                seen.append(value)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(800))


def _take_from_file(path: str, n: int, out: "multiprocessing.Queue[list[int]]") -> None:
    source = FileSerialSource(path)
    out.put([source.next_serial() for _ in range(n)])


def test_file_sequence_survives_restarts_and_is_unique_across_processes(tmp_path):
    path = tmp_path / "sscc.seq"
    assert [FileSerialSource(path, start=5).next_serial() for _ in range(3)] == [5, 6, 7]
    assert FileSerialSource(path).next_serial() == 8  # a new instance (a restart) continues
    ctx = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[list[int]] = ctx.Queue()
    procs = [ctx.Process(target=_take_from_file, args=(str(path), 25, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    values = [v for _ in procs for v in queue.get(timeout=30)]
    for p in procs:
        p.join(timeout=30)
    assert sorted(values) == list(range(9, 109))
    assert path.read_text().strip() == "109"
    assert not list(tmp_path.glob("*.tmp"))


def test_element_string_puts_fixed_length_first_and_verifies_with_biip():
    es = ElementString.of(("10", "AB-12"), ("37", "24"), ("01", "09501101530003"), ("17", "261231"))
    assert [ai for ai, _ in es.elements] == ["01", "17", "37", "10"]
    assert es.hri() == "(01)09501101530003(17)261231(37)24(10)AB-12"
    assert es.transmitted() == "010950110153000317261231" + "3724" + GS + "10AB-12"


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ((("01", "09501101530004"),), r"gs1\(01\): GTIN 09501101530004 has check digit 4"),
        ((("17", "261331"),), r"gs1\(17\): '261331' is not a YYMMDD date"),
        ((("10", "LOT#1"),), "outside the GS1 character set"),
        ((("10", "X" * 21),), "at most 20"),
        ((("37", "12a"),), "digits only"),
        ((("99", "x"),), "not supported"),
        ((("00", "106141410000123458"),), "check digit 8, expected 9"),
    ],
)
def test_element_string_rejects_bad_values_naming_the_ai(pairs, message):
    with pytest.raises(LabelDataError, match=message):
        ElementString.of(*pairs)


def test_sscc_generator_rejects_non_ascii_digit_prefixes():
    with pytest.raises(ValueError, match="ASCII"):
        SSCCGenerator("١٢٣٤٥٦٧", 0, MemorySerialSource())


@pytest.mark.parametrize("content", ["", "\n", "12a\n", "-5\n"])
def test_file_sequence_rejects_an_empty_or_corrupt_file(tmp_path, content):
    path = tmp_path / "serial.txt"
    path.write_text(content)
    with pytest.raises(ValueError, match=r"serial\.txt"):
        FileSerialSource(path).next_serial()


def test_gs1_character_set_check_rejects_a_trailing_newline():
    from labels.gs1 import AIS, _validate_value

    with pytest.raises(LabelDataError, match="character set"):
        _validate_value(AIS["10"], "LOT1\n", "batch")
