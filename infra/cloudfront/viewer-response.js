// The portal's viewer-response CloudFront Function (cloudfront-js-2.0): a 404 page is stored with
// the metadata portal-status=404 (scripts/lib/deploy_aws.py uploads it so), and is answered with
// that status; the metadata header itself is not passed on.
function handler(event) {
    var response = event.response;
    var status = response.headers['x-amz-meta-portal-status'];
    if (status) {
        response.statusCode = parseInt(status.value, 10);
        response.statusDescription = 'Not Found';
        delete response.headers['x-amz-meta-portal-status'];
    }
    return response;
}
