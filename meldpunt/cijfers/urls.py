from django.urls import path

from meldpunt.cijfers import views

app_name = "cijfers"
urlpatterns = [
    path("", views.page, name="page"),
    path("cijfers.csv", views.csv_download, name="csv"),
    path("cijfers.pdf", views.pdf_download, name="pdf"),
    path("jaarverslag/<int:year>.pdf", views.yearly_report, name="yearly"),
]
