// The portal's viewer-request CloudFront Function (cloudfront-js-2.0), on the site's behaviours.
// mkdocs writes directory URLs: /faq/ is the object faq/index.html, and /faq (no extension) is sent
// to /faq/ as the local server does, the query string kept (the status page's ?no=). A page address
// the build does not have becomes its language's 404 page, which the viewer-response function
// answers with status 404 (S3's own answer to a missing object is a 403 of XML). PAGES and
// NOT_FOUND are written in by scripts/lib/deploy_template.py from the built site.
var PAGES = {};
var NOT_FOUND = [];

function query(querystring) {
    var parts = [];
    for (var name in querystring) {
        var entry = querystring[name];
        var values = entry.multiValue ? entry.multiValue : [entry];
        for (var i = 0; i < values.length; i++) {
            parts.push(values[i].value === '' ? name : name + '=' + values[i].value);
        }
    }
    return parts.length ? '?' + parts.join('&') : '';
}

function notFoundPage(uri) {
    for (var i = 0; i < NOT_FOUND.length; i++) {
        if (uri.indexOf(NOT_FOUND[i].prefix) === 0) {
            return NOT_FOUND[i].page;
        }
    }
    return NOT_FOUND[NOT_FOUND.length - 1].page;
}

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    var last = uri.substring(uri.lastIndexOf('/') + 1);
    if (last !== '' && last.indexOf('.') === -1) {
        if (PAGES[uri + '/']) {
            return {
                statusCode: 301,
                statusDescription: 'Moved Permanently',
                headers: { location: { value: uri + '/' + query(request.querystring) } }
            };
        }
        request.uri = notFoundPage(uri);
    } else if (last === '') {
        request.uri = PAGES[uri] ? uri + 'index.html' : notFoundPage(uri);
    }
    return request;
}
