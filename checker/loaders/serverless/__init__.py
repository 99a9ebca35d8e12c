"""Serverless Framework service files (serverless.yml) -> the CloudFormation stack the Framework
generates, read by the CloudFormation loader.

- `variables`  the Framework's `${...}` variables: those the file decides, resolved; others Unknown
- `events`     the resources the Framework makes from functions and their events (EventBridge
               rules, schedules, SNS subscriptions), written with `cloudformation.generated`
- `loader`     the file's `resources` section and those resources as one template
"""
