from django.urls import path, register_converter

from . import views


class AcademicYearConverter:
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class TermNameConverter:
    regex = "autumn|spring|summer"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AcademicYearConverter, "academic_year")
register_converter(TermNameConverter, "term")

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("assurance/", views.assurance, name="assurance"),
    path("<academic_year:academic_year>/<term:term>/", views.term_report, name="term"),
    path("<academic_year:academic_year>/<term:term>.pdf", views.term_report_pdf, name="term_pdf"),
    path("<academic_year:academic_year>/<term:term>/remake/", views.term_report_remake, name="term_remake"),
]
