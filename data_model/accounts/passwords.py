"""Password hashing (argon2id), verification with the same cost for unknown users, and the strength rule."""
from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from data_model.texts.catalogue import N_, Text
from data_model.texts.input import text_problem

MIN_PASSWORD = 8
MAX_PASSWORD = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses or more
_SCORED_CHARS = 72  # zxcvbn's own limit; a longer password is judged by its start
# words of this product and common Vietnamese password words: guessable here even if not in zxcvbn's lists
_LOCAL_WORDS = ("laichau", "lai chau", "bienphong", "bien phong", "bdbp", "matkhau", "mat khau", "anhyeuem",
                "emyeuanh", "vietnam", "quantri", "admin", "nhaplieu", "lanhdao", "kehoach", "tuyentruyen")
_PATTERNS = {
    "repeat": N_("lặp lại cùng ký tự hoặc cùng cụm"),
    "sequence": N_("là dãy liên tiếp (như 12345678, abcdef)"),
    "spatial": N_("là dãy phím liền nhau (như qwerty, asdfgh)"),
    "date": N_("là ngày tháng"),
    "dictionary": N_("là mật khẩu hoặc từ thông dụng"),
}


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, t=3, p=4)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # verified against when no real hash is to be checked, so that timing does not tell which names exist
    return _hasher().hash(secrets.token_hex(16))


def _bytes(password: str) -> bytes:
    # a lone surrogate cannot be UTF-8 encoded; such a password is never stored, so it simply fails to match
    return (password or "").encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    """The argon2id hash of a password that passed check_password."""
    return _hasher().hash(_bytes(password))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether the password matches the stored hash; with no hash, a dummy one is verified (same cost, False)."""
    try:
        return _hasher().verify(stored or _dummy_hash(), _bytes(password)) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the hash was made with older parameters."""
    return _hasher().check_needs_rehash(stored)


def password_problem(password: str, *, user_words: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused (too short or long, bad characters, common or too simple), or None."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return Text("cần ít nhất {limit} ký tự", limit=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return Text("tối đa {limit} ký tự", limit=MAX_PASSWORD)
    problem = text_problem(password)
    if problem:
        return problem
    words = [w for w in user_words if w]
    lowered = password.strip().lower()
    if any(lowered == w.lower() for w in words):
        return Text("không được trùng tên đăng nhập hoặc họ tên")
    result = zxcvbn(password[:_SCORED_CHARS], user_inputs=[*words, *_LOCAL_WORDS])
    if result["score"] >= MIN_SCORE:
        return None
    patterns = [m.get("pattern") for m in result["sequence"]]
    if any(m.get("pattern") == "dictionary" and str(m.get("matched_word", "")).lower() in
           {w.lower() for w in words} for m in result["sequence"]):
        why = Text("dựa trên tên đăng nhập hoặc họ tên")
    else:
        why = Text(next((_PATTERNS[p] for p in ("dictionary", "repeat", "sequence", "spatial", "date") if p in patterns),
                        N_("quá đơn giản")))
    return Text("quá dễ đoán ({why}); hãy dùng một câu ngắn hoặc vài từ không liên quan nhau, có thể thêm số và dấu, ví "
                "dụ «Bản-mây-sáng-7»", why=why)
