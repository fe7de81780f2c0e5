"""Print `<event source> <operation>` for every operation of the botocore
service models named on the command line, one a line: the event source is
the host CloudTrail records the service's calls under, from the model's
`signingName` (its `endpointPrefix` when it has none)."""

import sys

import botocore.loaders

loader = botocore.loaders.Loader()
for service in sys.argv[1:]:
    model = loader.load_service_model(service, "service-2")
    metadata = model["metadata"]
    host = metadata.get("signingName") or metadata["endpointPrefix"]
    for operation in model["operations"]:
        print(f"{host}.amazonaws.com {operation}")
