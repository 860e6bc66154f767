"""The pages: the coordinator's (behind a login), the signatory's (behind a link), the auditor's."""
