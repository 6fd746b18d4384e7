"""NIST SP 800-63B password rules and argon2id hashing."""
import pytest

from services.identity.domain import passwords
from services.identity.domain.passwords import Hasher, PasswordRefused, check

GOOD = "tulip ferry gravel anthem"


def refusal(password, **context):
    with pytest.raises(PasswordRefused) as exc:
        check(password, **context)
    return exc.value


def test_a_long_unremarkable_passphrase_is_accepted():
    assert check(GOOD, login="maria@example.org", name="Maria Lopez") == GOOD


def test_fourteen_characters_are_too_few_fifteen_enough():
    assert refusal("tulipferrygrav").code == "password_too_short"
    assert check("tulipferrygrave")


def test_second_factor_lowers_the_minimum_to_eight():
    assert check("tulipfer", second_factor=True)
    assert refusal("tulipfe", second_factor=True).code == "password_too_short"


def test_up_to_128_characters_and_never_truncated():
    long_one = "gravel tulip ferry anthem " * 4 + "x" * 24
    assert len(long_one) == 128
    assert check(long_one) == long_one
    assert refusal(long_one + "y").code == "password_too_long"


def test_no_composition_rules_lowercase_letters_only_is_fine():
    assert check("quietlymaplesnowfallharbor")


def test_unicode_is_normalized_nfkc_and_counted_in_characters():
    # a fullwidth passphrase equals its ASCII form after NFKC
    fullwidth = "ｔｕｌｉｐ ｆｅｒｒｙ ｇｒａｖｅｌ"
    assert check(fullwidth) == "tulip ferry gravel"
    assert check("ëëëëë ñññ çççç ŵŵŵ üü öö")  # 15+ characters, not bytes


@pytest.mark.parametrize("common", [
    "password", "123456789012345", "qwertyuiopasdfgh", "iloveyou", "iloveyouiloveyou",
    "passwordpassword", "Password12345678", "P-A-S-S-W-O-R-D-1-2-3-4-5-6-7",
    "correct horse battery staple", "letmeinletmein123", "iloveyouforever!",
    "thisismypassword", "Thequickbrownfoxjumpsoverthelazydog",
])
def test_common_passwords_and_padded_favourites_are_refused(common):
    assert passwords.is_common(common) or passwords.is_trivial(common)
    if len(passwords.normalize(common)) >= 15:
        assert refusal(common).code in ("password_common", "password_trivial")


@pytest.mark.parametrize("trivial", [
    "aaaaaaaaaaaaaaaa", "abababababababab", "abcabcabcabcabcabc", "abcdefghijklmnop",
    "zyxwvutsrqponmlk", "1q2w3e4r5t6y7u8i",
])
def test_runs_and_repeats_are_refused(trivial):
    assert refusal(trivial).code in ("password_trivial", "password_common")


def test_the_blocklist_is_shipped_and_substantial():
    listed = passwords.blocklist()
    assert len(listed) > 3000
    for entry in ("password", "123456789012345", "qwertyuiopasdfgh", "iloveyou"):
        assert entry in listed


def test_containing_the_login_or_email_local_part_is_refused():
    assert refusal("my mariel0pez is safe", login="mariel0pez@example.org").code == \
        "password_contains_login"
    assert refusal("MARIEL0PEZ rocks at chess", login="Mariel0pez@Example.org").code == \
        "password_contains_login"


def test_containing_the_persons_name_is_refused():
    err = refusal("lopezfamilyvacation", name="Maria Lopez")
    assert err.code == "password_contains_name"
    assert "name" in err.sentence


def test_short_context_words_do_not_refuse_everything():
    assert check("tulip ferry gravel anthem", login="al@example.org", name="Al Bo")


def test_every_refusal_is_a_sentence():
    for password in ("short", "a" * 200, "passwordpassword"):
        sentence = refusal(password).sentence
        assert sentence.endswith(".") and sentence[0].isupper()


def test_hash_is_argon2id_and_verifies_only_the_same_password():
    hasher = Hasher(time_cost=1, memory_kib=1024, parallelism=1)
    digest = hasher.hash(GOOD)
    assert digest.startswith("$argon2id$")
    assert hasher.verify(digest, GOOD)
    assert not hasher.verify(digest, GOOD + " ")
    assert not hasher.verify("not-a-hash", GOOD)


def test_verify_normalizes_like_hash():
    hasher = Hasher(time_cost=1, memory_kib=1024, parallelism=1)
    digest = hasher.hash("ｔｕｌｉｐ ｆｅｒｒｙ ｇｒａｖｅｌ")
    assert hasher.verify(digest, "tulip ferry gravel")


def test_unknown_account_is_checked_against_a_dummy_hash_and_fails():
    hasher = Hasher(time_cost=1, memory_kib=1024, parallelism=1)
    assert hasher.verify(None, "haven-dummy-password-for-unknown-logins") is False
    assert hasher.verify(None, GOOD) is False
