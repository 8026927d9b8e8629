"""A vision and a file of answers to it, shared by the import and export tests."""

VISION = "We fix each problem on the first contact and explain it in plain words."
ANSWERS_CSV = (
    "respondent,vision,meaning,contribution\n"
    "ann,Fix problems on first contact and explain plainly,"
    '"A wrong bill is corrected on the call, with no jargon",'
    "I read the corrected balance back to the customer\n"
    "bob,I don't know,not sure,I do my job\n"
    "cy,First contact fixes in plain words,"
    "I solve the billing error while they are on the line,"
    "I explain the fix without jargon\n"
)
