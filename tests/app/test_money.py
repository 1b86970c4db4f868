from app.money import format_fen


def test_fen_are_shown_as_yuan_with_two_decimals():
    assert format_fen(0) == "¥0.00"
    assert format_fen(5) == "¥0.05"
    assert format_fen(123456) == "¥1,234.56"
    assert format_fen(-2550) == "-¥25.50"
