"""The citizen's electronic data store (Circular 01/2023/TT-VPCP Art 24): each person sees only their own."""

from __future__ import annotations

import uuid

import pytest

from motcua.accounts.models import User
from motcua.core.errors import DomainError, NotFound
from motcua.documents.models import DocumentSource, FileKind, StoredDocument, StoredFile
from motcua.documents.selectors import owned_file, store_of, stored_document_for
from motcua.documents.services import add_to_store, store_upload
from motcua.documents.tests.conftest import People
from motcua.documents.tests.samples import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def file_for(owner: User, name: str = "giay.pdf") -> StoredFile:
    return store_upload(pdf_bytes(name), name=name, owner=owner)


def test_a_citizen_sees_their_own_store_newest_first(people: People) -> None:
    birth = add_to_store(
        owner=people.an,
        title="Giấy khai sinh",
        document_type="giay_khai_sinh",
        stored_file=file_for(people.an),
        source=DocumentSource.UPLOAD,
    )
    id_card = add_to_store(
        owner=people.an,
        title="Căn cước công dân",
        document_type="can_cuoc",
        stored_file=store_upload(image_bytes("JPEG"), name="cccd.jpg", owner=people.an, kind=FileKind.SCAN),
        source=DocumentSource.DIGITIZED,
    )
    add_to_store(
        owner=people.binh,
        title="Giấy khai sinh của Bình",
        stored_file=file_for(people.binh),
        source=DocumentSource.UPLOAD,
    )

    assert list(store_of(people.an)) == [id_card, birth]
    assert [d.title for d in store_of(people.binh)] == ["Giấy khai sinh của Bình"]


def test_another_owner_s_document_is_not_found_exactly_like_a_missing_one(people: People) -> None:
    theirs = add_to_store(
        owner=people.binh,
        title="Sổ đỏ",
        stored_file=file_for(people.binh),
        source=DocumentSource.UPLOAD,
    )
    token = theirs.stored_file.token
    assert stored_document_for(people.binh, token) == theirs
    assert stored_document_for(people.binh, str(token)) == theirs

    with pytest.raises(NotFound) as foreign:
        stored_document_for(people.an, token)
    with pytest.raises(NotFound) as missing:
        stored_document_for(people.an, uuid.uuid4())
    with pytest.raises(NotFound) as garbage:
        stored_document_for(people.an, "../../etc/passwd")

    assert foreign.value.as_dict("vi") == missing.value.as_dict("vi") == garbage.value.as_dict("vi")
    assert foreign.value.status == 404


def test_owned_file_answers_only_to_the_owner(people: People) -> None:
    file = file_for(people.an)
    assert owned_file(people.an, file.token) == file
    with pytest.raises(NotFound):
        owned_file(people.binh, file.token)


def test_someone_else_s_file_cannot_be_filed_in_my_store(people: People) -> None:
    with pytest.raises(DomainError) as caught:
        add_to_store(
            owner=people.an,
            title="Không phải của tôi",
            stored_file=file_for(people.binh),
            source=DocumentSource.UPLOAD,
        )
    assert caught.value.code == "store_foreign_file"
    assert not StoredDocument.objects.exists()


def test_filing_a_result_twice_keeps_one_entry(people: People) -> None:
    file = file_for(people.an)
    first = add_to_store(
        owner=people.an,
        title="Giấy chứng nhận",
        stored_file=file,
        source=DocumentSource.RESULT,
        source_code="000.00.00.H12-261122-0001-KQ1",
    )
    again = add_to_store(
        owner=people.an,
        title="Giấy chứng nhận",
        stored_file=file,
        source=DocumentSource.RESULT,
        source_code="000.00.00.H12-261122-0001-KQ1",
    )
    assert again == first
    assert store_of(people.an).count() == 1


def test_a_title_is_required(people: People) -> None:
    with pytest.raises(DomainError) as caught:
        add_to_store(
            owner=people.an,
            title="   ",
            stored_file=file_for(people.an),
            source=DocumentSource.UPLOAD,
        )
    assert caught.value.field == "title"
