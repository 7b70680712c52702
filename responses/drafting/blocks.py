"""Template blocks: the default library, a practice's own blocks, and the checks every saved block passes."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from phi_guard.service import guard_check
from responses.audit import audit_record
from responses.drafting.compose import PLACEHOLDERS, BlockText, ReplyContext, fill, placeholders_in
from responses.guarding import practice_profile
from responses.models import DraftLanguage, Practice, TemplateBlock, Topic
from responses.roles import practice_for, require_permission
from responses.workflow import WorkflowError

DEFAULT_BLOCKS_FILE = Path(__file__).resolve().parent / "default_blocks.json"
# One default library per language the desk drafts in.
DEFAULT_BLOCKS_FILES = {
    DraftLanguage.ENGLISH: DEFAULT_BLOCKS_FILE,
    DraftLanguage.SPANISH: Path(__file__).resolve().parent / "default_blocks_es.json",
}
MAX_BLOCK_LENGTH = 1000
CHANNEL_PLACEHOLDERS = frozenset({"channel", "phone", "email"})


class TemplateRefused(WorkflowError):
    """A template block that may not be saved; the message says why (template text is not patient text)."""


@cache
def default_library(language: str = DraftLanguage.ENGLISH) -> tuple[BlockText, ...]:
    """The blocks shipped with ReviewDesk for `language` (`default_blocks.json`, `default_blocks_es.json`), in
    file order."""
    data = json.loads(DEFAULT_BLOCKS_FILES[DraftLanguage(language)].read_text(encoding="utf-8"))
    blocks = []
    for topic, kinds in data.items():
        if topic.startswith("_"):
            continue
        topic = "" if topic == "any" else Topic(topic).value
        for kind, texts in kinds.items():
            kind = TemplateBlock.Kind(kind).value
            blocks.extend(BlockText(kind=kind, topic=topic, text=text) for text in texts)
    return tuple(blocks)


def practice_library(practice: Practice, language: str = DraftLanguage.ENGLISH) -> tuple[BlockText, ...]:
    """A practice's active blocks in `language`; kinds it has none of at all come from the default library."""
    own = tuple(
        BlockText(kind=kind, topic=topic, text=text)
        for kind, topic, text in practice.template_blocks.filter(active=True, language=language)
        .order_by("id")
        .values_list("kind", "topic", "text")
    )
    present = {block.kind for block in own}
    return own + tuple(block for block in default_library(language) if block.kind not in present)


def reply_context_for(practice: Practice, location=None, language: str = DraftLanguage.ENGLISH) -> ReplyContext:
    """The practice's name and signature and the location's private channel (the practice's if it has none)."""
    phone, email = (location.phone, location.email) if location is not None else ("", "")
    if not (phone or email):
        phone, email = practice.phone, practice.email
    return ReplyContext(
        practice=practice.name,
        location=location.name if location is not None else practice.name,
        phone=phone,
        email=email,
        signature=practice.signature,
        language=language,
    )


@transaction.atomic
def template_blocks_seed(*, practice: Practice) -> int:
    """Give a practice the default library of each language it has no blocks in yet (so the blocks are there to
    edit, and the guard knows them as the practice's approved wording); returns how many were created."""
    # Lock the practice row so two first drafts at once cannot both seed.
    Practice.objects.select_for_update().filter(pk=practice.pk).first()
    present = set(practice.template_blocks.values_list("language", flat=True).distinct())
    created = TemplateBlock.objects.bulk_create(
        TemplateBlock(practice=practice, language=language, kind=b.kind, topic=b.topic, text=b.text)
        for language in DraftLanguage.values if language not in present
        for b in default_library(language)
    )
    return len(created)


def template_block_problems(*, practice: Practice, kind: str, text: str,
                            language: str = DraftLanguage.ENGLISH) -> list[str]:
    """Why this block text may not be saved for `practice` (empty when it is fine).

    The guard checks the text as it would be published: placeholders filled with the practice's
    real name, channel and signature, and without a first name (the name is the reviewer's own).
    """
    text = (text or "").strip()
    if not text:
        return ["A template block cannot be empty."]
    if len(text) > MAX_BLOCK_LENGTH:
        return [f"A template block can be at most {MAX_BLOCK_LENGTH} characters (this one has {len(text)})."]
    try:
        names = placeholders_in(text)
    except ValueError as exc:
        return [f"Placeholders are written like {{channel}}: {exc}. Use {{{{ and }}}} for literal braces."]
    problems = []
    unknown = sorted(names - PLACEHOLDERS)
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in sorted(PLACEHOLDERS))
        problems.append(f"Unknown placeholder{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(f'{{{n}}}' for n in unknown)}; use only {allowed}.")
        return problems
    if kind == TemplateBlock.Kind.RESOLVE and not names & CHANNEL_PLACEHOLDERS:
        problems.append("A resolve block must offer the private channel: include {channel}, {phone} or {email}.")
    context = reply_context_for(practice, practice.locations.order_by("name").first(), language)
    verdict = guard_check(fill(text, context), practice=practice_profile(practice))
    if verdict.error:
        problems.append("The PHI guard could not check this text right now; try again shortly.")
    elif verdict.blocked:
        for finding in verdict.findings:
            problems.append(f"The PHI guard blocks “{finding.text}” ({finding.category.replace('_', ' ')}): "
                            f"{finding.explanation}")
    return problems


@transaction.atomic
def template_block_save(
    *, practice: Practice, actor, kind: str, topic: str, text: str, active: bool = True,
    block: TemplateBlock | None = None, language: str = DraftLanguage.ENGLISH,
) -> TemplateBlock:
    """Create or update a template block; refused without `manage_templates`, or if the guard blocks it."""
    require_permission(actor, "manage_templates")
    if not getattr(actor, "is_superuser", False) and practice_for(actor).pk != practice.pk:
        raise PermissionDenied("You can only edit your own practice's templates.")
    if block is not None and block.practice_id != practice.pk:
        raise TemplateRefused("This template block belongs to another practice.")
    if kind not in TemplateBlock.Kind.values:
        raise TemplateRefused(f"Choose a kind: {', '.join(TemplateBlock.Kind.labels)}.")
    if topic and topic not in Topic.values:
        raise TemplateRefused("Choose a topic from the list, or leave it blank for any topic.")
    if language not in DraftLanguage.values:
        raise TemplateRefused(f"Choose a language: {', '.join(DraftLanguage.labels)}.")
    text = (text or "").replace("\r\n", "\n").strip()
    problems = template_block_problems(practice=practice, kind=kind, text=text, language=language)
    if problems:
        raise TemplateRefused(" ".join(problems))
    if block is None:
        block = TemplateBlock(practice=practice)
    block.kind, block.topic, block.text, block.active = kind, topic or "", text, active
    block.language = language
    block.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    block.save()
    audit_record(action="template_saved", actor=actor, practice=practice, template_block=block.pk)
    return block


def validate_template_block(*, practice: Practice, kind: str, text: str, language: str = DraftLanguage.ENGLISH) -> None:
    """The same checks as template_block_save, as a ValidationError for forms (the admin)."""
    problems = template_block_problems(practice=practice, kind=kind, text=text, language=language)
    if problems:
        raise ValidationError(problems)
