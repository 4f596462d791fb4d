from django.http import HttpResponse
def actuals_entry(request):
    return HttpResponse('')
