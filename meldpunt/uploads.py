"""Uploads stay in memory (they are encrypted before anything is stored) and
an oversized file is never dropped silently: it arrives with its real size
and only its first bytes, so the form can say it is too large."""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class BoundedMemoryUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.size = 0
        self.limit = settings.ATTACHMENT_MAX_BYTES
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.buffer.tell() <= self.limit:
            self.buffer.write(raw_data[: self.limit + 1 - self.buffer.tell()])
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
