"""Operations run from the command line against a deployed (or local) stack.

Not shipped in the Lambda packages: functions/lambda.mk leaves this folder out.
"""
