"""Cases, messages and attachments as the API shows them (shared by the reporter's and the staff side)."""

import uuid


def parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def deadlines_of(case) -> dict:
    return {
        "acknowledgement_due": case.acknowledgement_due,
        "feedback_due": case.feedback_due,
        "acknowledged_at": case.acknowledged_at,
    }


def attachment_out(attachment) -> dict:
    return {
        "id": attachment.public_id,
        "name": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
    }


def messages_of(thread) -> list[dict]:
    return [
        {
            "id": message.public_id,
            "author": message.author,
            "sent_at": message.sent_at,
            "body": message.body,
            "attachments": [attachment_out(a) for a in message.attachments.all()],
        }
        for message in thread
    ]
