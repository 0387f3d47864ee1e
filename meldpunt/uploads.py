"""Uploads stay in memory (they are encrypted before anything is stored) and
an oversized file is never dropped silently: it arrives with its real size
and only its first bytes, so the form can say it is too large.

A request holds the bytes of at most ``ATTACHMENT_MAX_FILES`` files, the
number the forms accept: a file beyond that arrives empty with its real
size, so the form can still say how many files it takes and keep what was
typed. (Django refuses a request with more than twice as many files whole,
``DATA_UPLOAD_MAX_NUMBER_FILES`` in settings, derived from the same number.)
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class BoundedMemoryUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.files_seen = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        self.buffer = BytesIO()
        self.size = 0
        # Past the number of files a form accepts, nothing of a file is kept.
        self.limit = settings.ATTACHMENT_MAX_BYTES if self.files_seen <= settings.ATTACHMENT_MAX_FILES else -1
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
